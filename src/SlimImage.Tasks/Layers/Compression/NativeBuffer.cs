using System.Runtime.InteropServices;

namespace SlimImage.Layers.Compression;

/// <summary>
/// A block of unmanaged memory for a chunk being compressed, from a pool that keeps a few blocks per size for the
/// next layer and the next build in the same MSBuild process. Chunks are 1-4 MiB: as managed arrays, a dozen of them
/// per image are enough to exhaust the garbage collector's allocation budget and set off a collection of MSBuild's
/// whole heap in the middle of the step (measured in a NativeAOT publish: two collections, 100-150 ms of pauses,
/// for 14 MB of arrays). Unmanaged blocks do not count toward that budget.
/// </summary>
internal sealed unsafe class NativeBuffer : IDisposable
{
    private const int Granularity = 64 << 10;
    // What the pool keeps for later, per size: enough for the chunks in flight on a few cores, and never so much that
    // a reused MSBuild node holds on to hundreds of MB after a zstd build (4 MiB chunks) on a many-core machine.
    private const int MaxKeptPerSize = 16;
    private const int MaxKeptBytesPerSize = 32 << 20;
    // Sizes are few (a chunk and its bound per format); plain arrays under a lock keep the pool free of generic
    // instantiations over IntPtr, which the JIT would compile in every MSBuild process.
    private static readonly object Lock = new();
    private static readonly List<SizeClass> Free = [];

    private sealed class SizeClass(int capacity)
    {
        public int Capacity { get; } = capacity;
        public IntPtr[] Blocks { get; } = new IntPtr[Math.Clamp(MaxKeptBytesPerSize / capacity, 1, MaxKeptPerSize)];
        public int Count { get; set; }
    }

    private IntPtr _memory;

    private NativeBuffer(IntPtr memory, int capacity) => (_memory, Capacity) = (memory, capacity);

    public int Capacity { get; }

    /// <summary>The whole block. Valid until <see cref="Dispose"/>; never keep it past that.</summary>
    public Span<byte> Span
    {
        get
        {
            ObjectDisposedException.ThrowIf(_memory == IntPtr.Zero, this);
            return new Span<byte>((void*)_memory, Capacity);
        }
    }

    /// <summary>A block of at least <paramref name="size"/> bytes (rounded up to 64 KiB), with undefined content.</summary>
    public static NativeBuffer Rent(int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        var capacity = checked((size + Granularity - 1) / Granularity * Granularity);
        lock (Lock)
        {
            var free = Find(capacity);
            if (free is { Count: > 0 })
                return new NativeBuffer(free.Blocks[--free.Count], capacity);
        }
        return new NativeBuffer((IntPtr)NativeMemory.Alloc((nuint)capacity), capacity);
    }

    /// <summary>Gives the block back to the pool (or frees it when the pool has enough of its size).</summary>
    public void Dispose()
    {
        var memory = Interlocked.Exchange(ref _memory, IntPtr.Zero);
        if (memory == IntPtr.Zero) return;
        GC.SuppressFinalize(this);
        lock (Lock)
        {
            var free = Find(Capacity);
            if (free == null) Free.Add(free = new SizeClass(Capacity));
            if (free.Count < free.Blocks.Length)
            {
                free.Blocks[free.Count++] = memory;
                return;
            }
        }
        NativeMemory.Free((void*)memory);
    }

    /// <summary>A block a failure path forgot is freed, not leaked, when its owner is collected.</summary>
    ~NativeBuffer()
    {
        var memory = Interlocked.Exchange(ref _memory, IntPtr.Zero);
        if (memory != IntPtr.Zero) NativeMemory.Free((void*)memory);
    }

    private static SizeClass? Find(int capacity)
    {
        foreach (var free in Free)
            if (free.Capacity == capacity) return free;
        return null;
    }
}
