using System.Buffers;

namespace SlimImage.Layers.Compression;

/// <summary>
/// A write-only, growable buffer for one compressed chunk, renting its array from a pool: chunks are about 1 MiB and
/// there are hundreds per image, and fresh arrays of that size would each be a large-object-heap allocation.
/// </summary>
internal sealed class PooledBufferStream : WriteOnlyStream
{
    // ArrayPool.Shared keeps few arrays above 1 MiB; chunk buffers are up to 4 MiB plus the bound's slack.
    internal static readonly ArrayPool<byte> Pool = ArrayPool<byte>.Create(8 << 20, 64);

    private byte[] _buffer;
    private int _length;

    public PooledBufferStream(int capacity) => _buffer = Pool.Rent(capacity);

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    /// <summary>A span of at least <paramref name="size"/> free bytes; follow with <see cref="Advance"/>.</summary>
    public Span<byte> GetSpan(int size)
    {
        if (_buffer.Length - _length < size)
        {
            var bigger = Pool.Rent(Math.Max(_length + size, _buffer.Length * 2));
            _buffer.AsSpan(0, _length).CopyTo(bigger);
            Pool.Return(_buffer);
            _buffer = bigger;
        }
        return _buffer.AsSpan(_length);
    }

    public void Advance(int count) => _length += count;

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        buffer.CopyTo(GetSpan(buffer.Length));
        _length += buffer.Length;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    protected override void Dispose(bool disposing)
    {
        if (disposing && _buffer.Length > 0)
        {
            Pool.Return(_buffer);
            _buffer = [];
        }
        base.Dispose(disposing);
    }

    public override long Length => _length;
}
