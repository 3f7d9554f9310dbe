using SlimImage.Diagnostics;
using SlimImage.Layers;
using SlimImage.Oci;

namespace SlimImage.Pipeline;

/// <summary>Reads <c>SlimImageImageFormat</c> (or the SDK's <c>ContainerImageFormat</c> it defaults to).</summary>
public static class ImageFormatSettings
{
    /// <summary>
    /// <paramref name="value"/> as <see cref="ImageFormat.Parse"/> reads it (SLIM1058), refused together with zstd
    /// layers when the format has no zstd media type (SLIM1059). <paramref name="property"/> is the property the
    /// value came from: <c>SlimImageImageFormat</c>, or <c>ContainerImageFormat</c> when only that one is set.
    /// </summary>
    public static ImageFormat Parse(string? value, string? property, CompressionFormat compression)
    {
        var name = string.IsNullOrWhiteSpace(property) ? "SlimImageImageFormat" : property.Trim();
        var format = ImageFormat.Parse(value, name);
        if (!format.Supports(compression))
            throw new SlimException("SLIM1059", name, format.Name, compression.ToString().ToLowerInvariant());
        return format;
    }
}
