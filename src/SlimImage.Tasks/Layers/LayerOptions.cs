using SlimImage.Image;

namespace SlimImage.Layers;

/// <summary>How a layer blob is compressed (<c>SlimImageCompression</c>).</summary>
public enum LayerCompression
{
    /// <summary>gzip (RFC 1952), <c>application/vnd.oci.image.layer.v1.tar+gzip</c>: what every runtime accepts.</summary>
    Gzip,

    /// <summary>The plain tar, <c>application/vnd.oci.image.layer.v1.tar</c>: digest equals diff_id.</summary>
    None,

    /// <summary>zstd (RFC 8878), <c>application/vnd.oci.image.layer.v1.tar+zstd</c>: several times faster than gzip at
    /// the same size; containerd 1.5+, podman, skopeo and Docker 23+ read it.</summary>
    Zstd,
}

/// <summary>Media types and file extensions of <see cref="LayerCompression"/>.</summary>
public static class LayerCompressionExtensions
{
    public static string MediaType(this LayerCompression compression) => compression switch
    {
        LayerCompression.Gzip => MediaTypes.LayerGzip,
        LayerCompression.None => MediaTypes.Layer,
        LayerCompression.Zstd => MediaTypes.LayerZstd,
        _ => throw new ArgumentOutOfRangeException(nameof(compression), compression, null),
    };

    internal static string FileExtension(this LayerCompression compression) => compression switch
    {
        LayerCompression.Gzip => ".tar.gz",
        LayerCompression.Zstd => ".tar.zst",
        _ => ".tar",
    };

    /// <summary>The level used when none is given: 6 for gzip (what <c>gzip</c> and zlib default to), 3 for zstd
    /// (the zstd tool's default).</summary>
    public static int DefaultLevel(this LayerCompression compression) => compression switch
    {
        LayerCompression.Gzip => 6,
        LayerCompression.Zstd => 3,
        _ => 0,
    };

    /// <summary>The levels a format accepts: gzip 1-9, zstd 1-22; none has no level (0).</summary>
    public static (int Min, int Max) LevelRange(this LayerCompression compression) => compression switch
    {
        LayerCompression.Gzip => (1, 9),
        LayerCompression.Zstd => (1, 22),
        _ => (0, 0),
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
/// <param name="Level">Level of <paramref name="Compression"/> (<see cref="LayerCompressionExtensions.LevelRange"/>);
/// 0 = <see cref="LayerCompressionExtensions.DefaultLevel"/>.</param>
/// <param name="Threads">Threads that compress; 0 = one per core. Never changes the bytes: chunks are cut by size.</param>
/// <param name="FileChecksums">Also take each file's SHA-1 and SHA-256 in the same pass (<see cref="LayerWriteResult.Files"/>),
/// for the SBOM; never changes the bytes.</param>
public sealed record LayerOptions(
    DateTimeOffset Timestamp,
    string TempDirectory,
    LayerCompression Compression = LayerCompression.Gzip,
    int Level = 0,
    int Threads = 0,
    bool FileChecksums = false)
{
    /// <summary><see cref="Level"/> with 0 replaced by the format's default.</summary>
    public int EffectiveLevel => Level == 0 ? Compression.DefaultLevel() : Level;
}
