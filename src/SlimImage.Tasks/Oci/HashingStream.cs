using System.Security.Cryptography;
using SlimImage.Oci;

namespace SlimImage.Oci;

/// <summary>
/// A pass-through that hashes and counts what goes by, written or read, so that a layer's diff_id and digest come
/// out of the single pass that writes it (no re-read of a blob that may be hundreds of MB), and a base layer's are
/// checked in the single pass that reads it. Use one direction per instance.
/// </summary>
internal sealed class HashingStream(Stream inner, bool leaveOpen) : Stream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private Digest? _digest;

    /// <summary>Bytes written or read so far.</summary>
    public long Count { get; private set; }

    /// <summary>The sha256 of everything written or read; nothing more is accepted after this.</summary>
    public Digest Digest => _digest ??= Digest.Sha256(_hash.GetHashAndReset());

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (_digest != null) throw new InvalidOperationException("The digest was taken already.");
        _hash.AppendData(buffer);
        Count += buffer.Length;
        inner.Write(buffer);
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_digest != null) throw new InvalidOperationException("The digest was taken already.");
        var n = inner.Read(buffer);
        _hash.AppendData(buffer[..n]);
        Count += n;
        return n;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    // Deliberately not forwarded: flushing a DeflateStream mid-stream emits a sync block whose place depends on
    // when Flush was called, which would make the blob depend on the caller's buffering.
    public override void Flush() { }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
            if (!leaveOpen) inner.Dispose();
        }
        base.Dispose(disposing);
    }

    public override bool CanRead => inner.CanRead;
    public override bool CanSeek => false;
    public override bool CanWrite => inner.CanWrite;
    public override long Length => Count;
    public override long Position { get => Count; set => throw new NotSupportedException(); }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
