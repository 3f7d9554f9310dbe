using System.Buffers.Binary;
using System.IO.Compression;

namespace SlimImage.Layers;

/// <summary>
/// gzip (RFC 1952) written by hand around a raw <see cref="DeflateStream"/>. <see cref="GZipStream"/> would do, but
/// its header comes from zlib: XFL follows the level and OS is zlib's OS_CODE (3 on Unix, 10 on Windows), so the
/// same image built on Windows would get another digest. Here the header is fixed: no name, MTIME 0 (§2.3.1:
/// "no time stamp is available"), XFL 0, OS 255 ("unknown", as Go's compress/gzip writes).
/// </summary>
/// <remarks>
/// The deflate bytes themselves come from the runtime's zlib: .NET 8 uses zlib, .NET 9+ zlib-ng, whose outputs differ
/// at the same level. The blob is reproducible for one runtime; the diff_id (uncompressed) for all of them.
/// </remarks>
internal sealed class GzipFramingStream : WriteOnlyStream
{
    private static ReadOnlySpan<byte> Header => [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF];

    private readonly Stream _inner;
    private readonly int _level;
    private DeflateStream? _deflate;
    private Crc32 _crc = new();
    private long _length;
    private bool _finished;

    /// <param name="inner">Where the member goes; left open.</param>
    /// <param name="level">zlib level 1-9 (see <see cref="Compression.DeflateLevels"/>).</param>
    public GzipFramingStream(Stream inner, int level)
    {
        _inner = inner;
        _inner.Write(Header);
        _level = level;
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (_finished) throw new InvalidOperationException("The gzip member is finished.");
        if (buffer.IsEmpty) return;
        _crc.Append(buffer);
        _length += buffer.Length;
        _deflate ??= Compression.DeflateLevels.Open(_inner, _level);
        _deflate.Write(buffer);
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <summary>Ends the deflate stream and writes the trailer (CRC-32 and ISIZE = length mod 2^32, §2.3.1).</summary>
    public void Finish()
    {
        if (_finished) return;
        _finished = true;
        if (_deflate != null) _deflate.Dispose();
        // A DeflateStream given no data writes nothing at all; an empty deflate stream is one final fixed-Huffman
        // block holding only end-of-block (RFC 1951 §3.2.6): the bits 1, 01, 0000000.
        else _inner.Write([0x03, 0x00]);
        Span<byte> trailer = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(trailer, _crc.Value);
        BinaryPrimitives.WriteUInt32LittleEndian(trailer[4..], unchecked((uint)_length));
        _inner.Write(trailer);
    }


    protected override void Dispose(bool disposing)
    {
        if (disposing) _deflate?.Dispose();
        base.Dispose(disposing);
    }

    public override long Length => _length;
}
