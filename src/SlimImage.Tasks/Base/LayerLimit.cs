using SlimImage.Oci;
using System.Globalization;
using SlimImage.Diagnostics;

namespace SlimImage.Base;

/// <summary>
/// <c>SlimImageBaseLayerMaxSize</c>: how many bytes one base layer may expand to. A base is untrusted input (CI builds
/// pull requests): a 10 MB gzip or a 645 KB zstd layer can expand to tens of GiB, which would hold the build for
/// minutes. Real layers are far smaller (debian:bookworm's one layer is about 120 MB; big CUDA layers a few GB).
/// </summary>
public static class LayerLimit
{
    /// <summary>8 GiB of uncompressed tar per layer.</summary>
    public const long Default = LayerBlob.DefaultMaxUncompressedSize;

    /// <summary>
    /// Empty: <see cref="Default"/>. Else a whole number of bytes, optionally with a binary unit: <c>K</c>, <c>M</c>,
    /// <c>G</c>, <c>T</c> (with or without <c>B</c> / <c>iB</c>, any case), e.g. <c>16G</c>. SLIM3520 otherwise.
    /// </summary>
    public static long Parse(string? value)
    {
        var text = value?.Trim() ?? "";
        if (text.Length == 0) return Default;
        var digits = 0;
        while (digits < text.Length && char.IsAsciiDigit(text[digits])) digits++;
        var unit = text[digits..].Trim().ToUpperInvariant();
        int? shift = unit switch
        {
            "" or "B" => 0,
            "K" or "KB" or "KIB" => 10,
            "M" or "MB" or "MIB" => 20,
            "G" or "GB" or "GIB" => 30,
            "T" or "TB" or "TIB" => 40,
            _ => null,
        };
        if (digits == 0 || shift == null
            || !long.TryParse(text[..digits], NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            || number <= 0 || number > long.MaxValue >> shift.Value)
            throw new SlimException("SLIM3520", text);
        return number << shift.Value;
    }

    /// <summary>"8 GiB", "512 MiB", "1000 B": the limit as the user would write it back.</summary>
    public static string Describe(long bytes) => ByteSize.Exact(bytes);
}
