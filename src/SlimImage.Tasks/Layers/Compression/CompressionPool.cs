using System.Collections.Concurrent;

namespace SlimImage.Layers.Compression;

/// <summary>
/// Worker threads that compress chunks for every layer of one image, and the budget of chunks in flight that bounds
/// memory whatever the number of layers: each slot holds one input chunk and its compressed form until the layer's
/// writer has written it out in order.
/// </summary>
/// <remarks>
/// Dedicated threads rather than the thread pool: the pool is MSBuild's too, and a pool that grows only slowly past
/// the core count would serialize the work; here there are exactly <see cref="Threads"/> compressing threads.
/// </remarks>
internal sealed class CompressionPool : IDisposable
{
    private readonly BlockingCollection<ChunkJob> _queue = new(new ConcurrentQueue<ChunkJob>());
    private readonly SemaphoreSlim _slots;
    private readonly Thread[] _workers;

    /// <param name="threads">Compressing threads; 0 = one per core.</param>
    public CompressionPool(int threads)
    {
        Threads = threads > 0 ? threads : Environment.ProcessorCount;
        // Two chunks per thread: one being compressed, one waiting, so no worker idles while the writer reads files.
        _slots = new SemaphoreSlim(2 * Threads + 1);
        _workers = new Thread[Threads];
        for (var i = 0; i < Threads; i++)
        {
            _workers[i] = new Thread(Work) { IsBackground = true, Name = "SlimImage compression " + i };
            _workers[i].Start();
        }
    }

    public int Threads { get; }

    /// <summary>Takes a slot if one is free at once.</summary>
    public bool TryTakeSlot() => _slots.Wait(0);

    /// <summary>Waits for a slot; only a writer with nothing of its own in flight may wait here (see the caller).</summary>
    public void TakeSlot(CancellationToken ct) => _slots.Wait(ct);

    public void ReturnSlot() => _slots.Release();

    public void Submit(ChunkJob job) => _queue.Add(job);

    private void Work()
    {
        foreach (var job in _queue.GetConsumingEnumerable())
            job.Run();
    }

    public void Dispose()
    {
        _queue.CompleteAdding();
        foreach (var worker in _workers) worker.Join();
        _queue.Dispose();
        _slots.Dispose();
    }
}

/// <summary>One chunk to compress: its input (pooled) and, when done, its output or the failure.</summary>
internal sealed class ChunkJob(ChunkCodec codec, NativeBuffer input, int length)
{
    private readonly ManualResetEventSlim _done = new();
    private PooledBufferStream? _output;
    private Exception? _error;

    public void Run()
    {
        PooledBufferStream? output = null;
        try
        {
            output = new PooledBufferStream(codec.Bound(length));
            codec.Compress(input.Span[..length], output);
            _output = output;
        }
        catch (Exception e)
        {
            output?.Dispose(); // unmanaged: nothing else would give it back
            _error = e;
        }
        finally
        {
            input.Dispose();
            _done.Set();
        }
    }

    /// <summary>Waits for the compressed unit; the caller disposes it (returning its buffer) after writing it.</summary>
    public PooledBufferStream Wait()
    {
        _done.Wait();
        _done.Dispose();
        if (_error != null) throw new InvalidOperationException("Compressing a layer chunk failed.", _error);
        return _output!;
    }
}
