using System.IO.Compression;
using System.Reflection;

namespace SlimImage.Layers.Compression;

/// <summary>
/// Opens a <see cref="DeflateStream"/> at a zlib level 1-9. The task is built for net8.0, whose API has only the
/// <see cref="CompressionLevel"/> enum (1, 6 and 9 in zlib terms); .NET 9 added <c>ZLibCompressionOptions</c> with
/// the numeric level, so where MSBuild runs on .NET 9 or later (SDK 9, 10) that constructor is bound by reflection.
/// </summary>
internal static class DeflateLevels
{
    private static readonly Func<Stream, int, DeflateStream>? Numeric = BindNumeric();

    /// <summary>True when every level 1-9 is available as such (MSBuild on .NET 9 or later).</summary>
    public static bool ExactLevels => Numeric != null;

    public static DeflateStream Open(Stream output, int level)
    {
        if (level is < 1 or > 9) throw new ArgumentOutOfRangeException(nameof(level), level, "zlib levels are 1 to 9.");
        if (Numeric != null) return Numeric(output, level);
        // .NET 8 maps Fastest to zlib 1, Optimal to zlib's default (6) and SmallestSize to 9 (ZLibNative.cs).
        var nearest = level switch
        {
            <= 3 => CompressionLevel.Fastest,
            <= 7 => CompressionLevel.Optimal,
            _ => CompressionLevel.SmallestSize,
        };
        return new DeflateStream(output, nearest, leaveOpen: true);
    }

    // Plain reflection, not a compiled expression: System.Linq.Expressions costs tens of milliseconds to load and
    // compile on first use, and one call per 1 MiB chunk makes the invoke's own cost irrelevant.
    private static Func<Stream, int, DeflateStream>? BindNumeric()
    {
        var optionsType = typeof(DeflateStream).Assembly.GetType("System.IO.Compression.ZLibCompressionOptions");
        var levelProperty = optionsType?.GetProperty("CompressionLevel", BindingFlags.Public | BindingFlags.Instance);
        var ctor = optionsType == null ? null
            : typeof(DeflateStream).GetConstructor([typeof(Stream), optionsType, typeof(bool)]);
        if (optionsType == null || levelProperty == null || ctor == null) return null;
        return (output, level) =>
        {
            // new DeflateStream(output, new ZLibCompressionOptions { CompressionLevel = level }, leaveOpen: true)
            var options = Activator.CreateInstance(optionsType)!;
            levelProperty.SetValue(options, level);
            return (DeflateStream)ctor.Invoke([output, options, true]);
        };
    }
}
