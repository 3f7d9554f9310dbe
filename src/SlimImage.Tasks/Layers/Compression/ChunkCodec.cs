using System.IO.Compression;
using ZstdSharp;
using ZstdSharp.Unsafe;
using SlimImage.Oci;

namespace SlimImage.Layers.Compression;

/// <summary>
/// Compresses one chunk of a layer's tar into a self-contained unit: a gzip member (RFC 1952 §2.2: "a gzip file
/// consists of a series of members") or a zstd frame (RFC 8878 §3: "a Zstandard compressed data is made of one or
/// more frames"). Units written one after another are one valid stream, and each depends only on its chunk's bytes,
/// so chunks can be compressed on any thread in any order and the blob stays the same.
/// </summary>
internal abstract class ChunkCodec
{
    /// <summary>
    /// Bytes of tar per unit. Fixed per format, never derived from the machine (core count, memory): a different
    /// split would be a different blob. 1 MiB costs gzip about 0.15 % of size (its window is 32 KiB); zstd's window at
    /// level 3 is larger, so it gets 4 MiB (0.2 % instead of 1.4 % at 1 MiB, measured on a self-contained publish).
    /// </summary>
    public abstract int ChunkSize { get; }

    /// <summary>An upper bound of the compressed size of <paramref name="length"/> bytes, to size the buffer.</summary>
    public abstract int Bound(int length);

    /// <summary>Compresses <paramref name="input"/> into <paramref name="output"/> as one unit. Called concurrently.</summary>
    public abstract void Compress(ReadOnlySpan<byte> input, PooledBufferStream output);

    public static ChunkCodec For(LayerCompression compression) => compression.Format switch
    {
        CompressionFormat.Gzip => new GzipMemberCodec(compression.Level),
        CompressionFormat.Zstd => new ZstdFrameCodec(compression.Level),
        _ => throw new ArgumentOutOfRangeException(nameof(compression), compression, "Not a compressed format."),
    };
}

/// <summary>
/// One gzip member per chunk, written by zlib (<see cref="GZipStream"/>, which computes the CRC-32 with the CPU's
/// carry-less multiply) with its header then made fixed: zlib sets XFL from the level and OS from the platform it was
/// built for (OS_CODE: 3 on Unix, 10 on Windows), so the same image built on Windows would get another digest. The
/// header is MTIME 0 (RFC 1952 §2.3.1: "no time stamp is available"), XFL 0, OS 255 ("unknown", as Go's
/// compress/gzip writes).
/// </summary>
/// <remarks>
/// The deflate bytes themselves come from the runtime's zlib: .NET 8 uses zlib, .NET 9+ zlib-ng, whose outputs differ
/// at the same level. The blob is reproducible for one runtime; the diff_id (uncompressed) for all of them.
/// </remarks>
internal sealed class GzipMemberCodec(int level) : ChunkCodec
{
    // A member with no data: the fixed header, an empty final fixed-Huffman block (RFC 1951 §3.2.6: the bits 1, 01,
    // 0000000), CRC-32 0 and ISIZE 0. zlib given no data writes nothing at all.
    private static ReadOnlySpan<byte> EmptyMember => [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF, 0x03, 0x00, 0, 0, 0, 0, 0, 0, 0, 0];

    public override int ChunkSize => 1 << 20;

    // zlib's deflateBound for stored blocks, plus the 18 bytes of gzip header and trailer.
    public override int Bound(int length) => length + (length >> 12) + (length >> 14) + (length >> 25) + 13 + 18 + 64;

    public override void Compress(ReadOnlySpan<byte> input, PooledBufferStream output)
    {
        if (input.IsEmpty)
        {
            output.Write(EmptyMember);
            return;
        }
        using (var gzip = Compression.DeflateLevels.OpenGzip(output, level))
            gzip.Write(input);
        var header = output.Written[..10];
        // ID1 ID2 CM=8 FLG=0 MTIME=0: anything else means zlib wrote a header this code does not know.
        if (!header[..8].SequenceEqual((ReadOnlySpan<byte>)[0x1F, 0x8B, 8, 0, 0, 0, 0, 0]))
            throw new InvalidOperationException("zlib wrote an unexpected gzip header: " + Convert.ToHexString(header));
        header[8] = 0;
        header[9] = 0xFF;
    }
}

/// <summary>One zstd frame per chunk, with its content size and a content checksum (as the zstd tool writes).</summary>
internal sealed class ZstdFrameCodec(int level) : ChunkCodec
{
    // One compressor per worker thread: its context is a few MB at level 3, too much to allocate per chunk.
    [ThreadStatic] private static Compressor? _compressor;
    [ThreadStatic] private static int _compressorLevel;

    public override int ChunkSize => 4 << 20;

    public override int Bound(int length) => Compressor.GetCompressBound(length);

    public override void Compress(ReadOnlySpan<byte> input, PooledBufferStream output)
    {
        var compressor = _compressor;
        if (compressor == null || _compressorLevel != level)
        {
            compressor?.Dispose();
            compressor = new Compressor(level);
            compressor.SetParameter(ZSTD_cParameter.ZSTD_c_checksumFlag, 1);
            (_compressor, _compressorLevel) = (compressor, level);
        }
        var target = output.GetSpan(Bound(input.Length));
        // Wrap is ZSTD_compress2: it starts a fresh frame each call, so nothing carries over between chunks.
        output.Advance(compressor.Wrap(input, target));
    }
}
