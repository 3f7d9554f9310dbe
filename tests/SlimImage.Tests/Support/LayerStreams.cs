using System.IO.Compression;

namespace SlimImage.Tests.Support;

/// <summary>
/// Reads a layer blob as its media type says, independently of SlimImage's own codecs: OCI "tar+gzip" and Docker
/// "tar.gzip" through GZipStream, "tar+zstd" through ZstdSharp's decoder, anything else as it is.
/// </summary>
internal static class LayerStreams
{
    public const string Gzip = "application/vnd.oci.image.layer.v1.tar+gzip";
    public const string Zstd = "application/vnd.oci.image.layer.v1.tar+zstd";

    /// <summary>The uncompressed tar of a blob; a plain layer's stream is returned as it is.</summary>
    public static Stream Open(Stream blob, string mediaType, bool leaveOpen = false) =>
        mediaType.EndsWith("gzip", StringComparison.Ordinal) ? new GZipStream(blob, CompressionMode.Decompress, leaveOpen)
        : mediaType.EndsWith("+zstd", StringComparison.Ordinal) ? new ZstdSharp.DecompressionStream(blob, leaveOpen: leaveOpen)
        : blob;

    public static byte[] Decompress(byte[] blob, string mediaType)
    {
        using var data = Open(new MemoryStream(blob), mediaType);
        using var back = new MemoryStream();
        data.CopyTo(back);
        return back.ToArray();
    }
}
