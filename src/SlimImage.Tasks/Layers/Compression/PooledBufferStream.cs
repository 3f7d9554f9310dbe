namespace SlimImage.Layers.Compression;

/// <summary>
/// A write-only, growable buffer for one compressed chunk, in a <see cref="NativeBuffer"/>: chunks are about 1 MiB and
/// there are hundreds per image, and managed arrays of that size would each be a large-object-heap allocation.
/// </summary>
internal sealed class PooledBufferStream : WriteOnlyStream
{
    private NativeBuffer _buffer;
    private int _length;

    public PooledBufferStream(int capacity) => _buffer = NativeBuffer.Rent(Math.Max(1, capacity));

    /// <summary>What was written so far; writable, for a header a library wrote (see GzipMemberCodec).</summary>
    public Span<byte> Written => _buffer.Span[.._length];

    /// <summary>A span of at least <paramref name="size"/> free bytes; follow with <see cref="Advance"/>.</summary>
    public Span<byte> GetSpan(int size)
    {
        if (_buffer.Capacity - _length < size)
        {
            var bigger = NativeBuffer.Rent(Math.Max(_length + size, _buffer.Capacity * 2));
            _buffer.Span[.._length].CopyTo(bigger.Span);
            _buffer.Dispose();
            _buffer = bigger;
        }
        return _buffer.Span[_length..];
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
        if (disposing) _buffer.Dispose();
        base.Dispose(disposing);
    }

    public override long Length => _length;
}
