using System.IO.Compression;
using SlimImage.Image;

namespace SlimImage.Layers;

/// <summary>How a layer blob is compressed. Adding zstd means a value here, a case in
/// <see cref="LayerWriter"/> and one in <see cref="LayerCompressionExtensions.MediaType"/>.</summary>
public enum LayerCompression
{
    /// <summary>gzip (RFC 1952), <c>application/vnd.oci.image.layer.v1.tar+gzip</c>: what every runtime accepts.</summary>
    Gzip,

    /// <summary>The plain tar, <c>application/vnd.oci.image.layer.v1.tar</c>: digest equals diff_id.</summary>
    None,
}

/// <summary>Media types and file extensions of <see cref="LayerCompression"/>.</summary>
public static class LayerCompressionExtensions
{
    public static string MediaType(this LayerCompression compression) => compression switch
    {
        LayerCompression.Gzip => MediaTypes.LayerGzip,
        LayerCompression.None => MediaTypes.Layer,
        _ => throw new ArgumentOutOfRangeException(nameof(compression), compression, null),
    };

    internal static string FileExtension(this LayerCompression compression) => compression switch
    {
        LayerCompression.Gzip => ".tar.gz",
        _ => ".tar",
    };
}

/// <summary>
/// Settings of one <see cref="LayerWriter.Write"/> call. Everything that changes the bytes of a layer is here, so the
/// same entries and the same options give the same blob.
/// </summary>
/// <param name="Timestamp">The mtime of every entry (SOURCE_DATE_EPOCH, or 1970-01-01), e.g. <c>DateTimeOffset.UnixEpoch</c>.
/// Whole seconds only: ustar headers cannot hold more, and no PAX mtime is written.</param>
/// <param name="TempDirectory">Folder for the blob file, e.g. <c>obj/Release/net8.0/linux-x64/slimimage/</c>; created if missing.</param>
/// <param name="Compression">Compression of the blob.</param>
/// <param name="Level">Deflate level for <see cref="LayerCompression.Gzip"/>.</param>
public sealed record LayerOptions(
    DateTimeOffset Timestamp,
    string TempDirectory,
    LayerCompression Compression = LayerCompression.Gzip,
    CompressionLevel Level = CompressionLevel.Optimal);
