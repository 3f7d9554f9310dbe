namespace SlimImage.Layers;

/// <summary>
/// The shape shared by the layer pipeline's sinks (gzip framing, parallel compression, chunk buffers): written
/// front to back, never read or sought; <see cref="Stream.Length"/> is what was written so far. Flush does nothing on
/// purpose: a mid-stream flush of a compressor emits a block whose place depends on when the caller flushed, which
/// would make a blob depend on its caller's buffering rather than on its content.
/// </summary>
internal abstract class WriteOnlyStream : Stream
{
    public sealed override void Flush() { }
    public sealed override bool CanRead => false;
    public sealed override bool CanSeek => false;
    public sealed override bool CanWrite => true;
    public sealed override long Position { get => Length; set => throw new NotSupportedException(); }
    public sealed override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public sealed override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public sealed override void SetLength(long value) => throw new NotSupportedException();
}
