namespace SlimImage.FileSystem;

/// <summary>
/// The shape shared by the forward-only readers that wrap another stream (a size limit, a header guard, tar end
/// padding, an exact-length check): read front to back, never written or sought. The twin of the layer pipeline's
/// write-only sinks. Subclasses implement the span <see cref="Read(Span{byte})"/>; Length and Position throw unless
/// a subclass knows them.
/// </summary>
internal abstract class ReadOnlyStream : Stream
{
    public abstract override int Read(Span<byte> buffer);
    public sealed override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
    public sealed override bool CanRead => true;
    public sealed override bool CanSeek => false;
    public sealed override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public sealed override void Flush() { }
    public sealed override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public sealed override void SetLength(long value) => throw new NotSupportedException();
    public sealed override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
