using System.Globalization;
using SlimImage.Diagnostics;
using SlimImage.Layers;

namespace SlimImage.Pipeline;

/// <summary>Reads <c>SlimImageCompression</c> and <c>SlimImageCompressionLevel</c>.</summary>
public static class CompressionSettings
{
    /// <summary>
    /// <paramref name="compression"/>: <c>gzip</c> (or empty), <c>zstd</c> or <c>none</c>, any case;
    /// <paramref name="level"/>: empty for the format's default, else a whole number in its range. SLIM1400, SLIM1401.
    /// </summary>
    public static (LayerCompression Compression, int Level) Parse(string? compression, string? level)
    {
        var name = compression?.Trim() ?? "";
        LayerCompression format = name.ToLowerInvariant() switch
        {
            "" or "gzip" => LayerCompression.Gzip,
            "zstd" => LayerCompression.Zstd,
            "none" => LayerCompression.None,
            _ => throw new SlimException("SLIM1400", name),
        };
        var text = level?.Trim() ?? "";
        if (text.Length == 0) return (format, 0);
        var (min, max) = format.LevelRange();
        if (format == LayerCompression.None
            || !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            || value < min || value > max)
            throw new SlimException("SLIM1401", text, format.ToString().ToLowerInvariant(),
                format == LayerCompression.None ? "none: leave it empty" : $"{min} to {max}");
        return (format, value);
    }
}
