using System.Globalization;
using System.IO.Compression;
using SlimImage.Diagnostics;

namespace SlimImage.Oci;

/// <summary>The compression format of a layer blob (<c>SlimImageCompression</c>).</summary>
public enum CompressionFormat
{
    /// <summary>gzip (RFC 1952), <c>application/vnd.oci.image.layer.v1.tar+gzip</c>: what every runtime accepts.</summary>
    Gzip,

    /// <summary>The plain tar, <c>application/vnd.oci.image.layer.v1.tar</c>: digest equals diff_id.</summary>
    None,

    /// <summary>zstd (RFC 8878), <c>application/vnd.oci.image.layer.v1.tar+zstd</c>: several times faster than gzip at
    /// the same size; containerd 1.5+, podman, skopeo and Docker 23+ read it.</summary>
    Zstd,
}

/// <summary>
/// How layer blobs are compressed: a format and its level, validated once (<see cref="Parse"/>, <see cref="Of"/>),
/// then asked for its media type, file extension and decompressor instead of comparing strings. The only place
/// that knows the default level (gzip 6, zstd 3) and the level ranges (gzip 1-9, zstd 1-22).
/// </summary>
public sealed record LayerCompression
{
    private LayerCompression(CompressionFormat format, int level) => (Format, Level) = (format, level);

    public CompressionFormat Format { get; }

    /// <summary>The level the codec runs at; 0 for <see cref="CompressionFormat.None"/>.</summary>
    public int Level { get; }

    /// <summary>gzip at level 6 (what <c>gzip</c> and zlib default to): the default.</summary>
    public static LayerCompression Gzip { get; } = new(CompressionFormat.Gzip, 6);

    /// <summary>zstd at level 3 (the zstd tool's default).</summary>
    public static LayerCompression Zstd { get; } = new(CompressionFormat.Zstd, 3);

    public static LayerCompression None { get; } = new(CompressionFormat.None, 0);

    /// <summary>The levels a format accepts: gzip 1-9, zstd 1-22; none has no level.</summary>
    public static (int Min, int Max) LevelRange(CompressionFormat format) => format switch
    {
        CompressionFormat.Gzip => (1, 9),
        CompressionFormat.Zstd => (1, 22),
        _ => (0, 0),
    };

    /// <summary><paramref name="format"/> at <paramref name="level"/>, 0 for its default; a level out of range throws.</summary>
    public static LayerCompression Of(CompressionFormat format, int level = 0)
    {
        var byDefault = format switch { CompressionFormat.Gzip => Gzip, CompressionFormat.Zstd => Zstd, _ => None };
        if (level == 0 || level == byDefault.Level) return byDefault;
        var (min, max) = LevelRange(format);
        return level >= min && level <= max ? new(format, level)
            : throw new ArgumentOutOfRangeException(nameof(level), level, $"{format} takes levels {min} to {max}.");
    }

    /// <summary>
    /// <c>SlimImageCompression</c> and <c>SlimImageCompressionLevel</c>: <paramref name="format"/> <c>gzip</c> (or empty),
    /// <c>zstd</c> or <c>none</c>, any case (SLIM1400); <paramref name="level"/> empty for the format's default, else a
    /// whole number in its range (SLIM1401).
    /// </summary>
    public static LayerCompression Parse(string? format, string? level)
    {
        var name = format?.Trim() ?? "";
        var parsed = name.ToLowerInvariant() switch
        {
            "" or "gzip" => CompressionFormat.Gzip,
            "zstd" => CompressionFormat.Zstd,
            "none" => CompressionFormat.None,
            _ => throw new SlimException("SLIM1400", name),
        };
        var text = level?.Trim() ?? "";
        if (text.Length == 0) return Of(parsed);
        var (min, max) = LevelRange(parsed);
        if (parsed == CompressionFormat.None
            || !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            || value < min || value > max)
            throw new SlimException("SLIM1401", text, parsed.ToString().ToLowerInvariant(),
                parsed == CompressionFormat.None ? "none: leave it empty" : $"{min} to {max}");
        return Of(parsed, value);
    }

    /// <summary>The OCI layer media type of blobs compressed so.</summary>
    public string MediaType => MediaTypeOf(Format);

    /// <summary>The blob file's extension: <c>.tar.gz</c>, <c>.tar.zst</c> or <c>.tar</c>.</summary>
    public string FileExtension => Format switch
    {
        CompressionFormat.Gzip => ".tar.gz",
        CompressionFormat.Zstd => ".tar.zst",
        _ => ".tar",
    };

    public static string MediaTypeOf(CompressionFormat format) => format switch
    {
        CompressionFormat.Gzip => MediaTypes.LayerGzip,
        CompressionFormat.Zstd => MediaTypes.LayerZstd,
        _ => MediaTypes.Layer,
    };

    /// <summary>
    /// The compression of a layer media type, OCI or Docker (the same bytes either way); null for anything that is
    /// not a layer type SlimImage can read.
    /// </summary>
    public static CompressionFormat? FormatOf(string mediaType) => mediaType switch
    {
        MediaTypes.Layer or ImageFormat.DockerLayer => CompressionFormat.None,
        MediaTypes.LayerGzip or ImageFormat.DockerLayerGzip => CompressionFormat.Gzip,
        MediaTypes.LayerZstd or ImageFormat.DockerLayerZstd => CompressionFormat.Zstd,
        _ => null,
    };

    /// <summary>
    /// The uncompressed tar of a blob whose media type is <paramref name="mediaType"/> (OCI or Docker): the one
    /// decompressor choice for base archives, registry pulls and the layer cache. Disposes <paramref name="blob"/>.
    /// </summary>
    public static Stream OpenUncompressed(string mediaType, Stream blob) => FormatOf(mediaType) switch
    {
        CompressionFormat.Gzip => new GZipStream(blob, CompressionMode.Decompress),
        CompressionFormat.Zstd => new ZstdSharp.DecompressionStream(blob),
        CompressionFormat.None => blob,
        _ => throw new ArgumentException($"'{mediaType}' is not a layer media type.", nameof(mediaType)),
    };

    /// <summary><c>gzip level 6</c>, <c>zstd level 19</c>, <c>none</c>.</summary>
    public override string ToString() =>
        Format == CompressionFormat.None ? "none" : Format.ToString().ToLowerInvariant() + " level " + Level.ToString(CultureInfo.InvariantCulture);
}
