using System.IO.Compression;
#if !NET9_0_OR_GREATER
using System.Reflection;
#endif

namespace SlimImage.Layers.Compression;

/// <summary>
/// Opens a <see cref="GZipStream"/> at a zlib level 1-9. .NET 9 added <c>ZLibCompressionOptions</c> with the numeric
/// level; the net8.0 build of the task (for the MSBuild of SDK 8 and 9) has only the <see cref="CompressionLevel"/>
/// enum (1, 6 and 9 in zlib terms), so where it runs on .NET 9 it binds that constructor by reflection.
/// </summary>
internal static class DeflateLevels
{
#if NET9_0_OR_GREATER
    /// <summary>True when every level 1-9 is available as such.</summary>
    public static bool ExactLevels => true;
#else
    private static readonly Func<Stream, int, GZipStream>? Numeric = BindNumeric();

    /// <summary>True when every level 1-9 is available as such (MSBuild on .NET 9 or later).</summary>
    public static bool ExactLevels => Numeric != null;
#endif

    public static GZipStream OpenGzip(Stream output, int level)
    {
        if (level is < 1 or > 9) throw new ArgumentOutOfRangeException(nameof(level), level, "zlib levels are 1 to 9.");
#if NET9_0_OR_GREATER
        return new GZipStream(output, new ZLibCompressionOptions { CompressionLevel = level }, leaveOpen: true);
#else
        if (Numeric != null) return Numeric(output, level);
        // .NET 8 maps Fastest to zlib 1, Optimal to zlib's default (6) and SmallestSize to 9 (ZLibNative.cs).
        var nearest = level switch
        {
            <= 3 => CompressionLevel.Fastest,
            <= 7 => CompressionLevel.Optimal,
            _ => CompressionLevel.SmallestSize,
        };
        return new GZipStream(output, nearest, leaveOpen: true);
#endif
    }
#if !NET9_0_OR_GREATER

    // Plain reflection, not a compiled expression: System.Linq.Expressions costs tens of milliseconds to load and
    // compile on first use, and one call per 1 MiB chunk makes the invoke's own cost irrelevant.
    private static Func<Stream, int, GZipStream>? BindNumeric()
    {
        var optionsType = typeof(GZipStream).Assembly.GetType("System.IO.Compression.ZLibCompressionOptions");
        var levelProperty = optionsType?.GetProperty("CompressionLevel", BindingFlags.Public | BindingFlags.Instance);
        var ctor = optionsType == null ? null
            : typeof(GZipStream).GetConstructor([typeof(Stream), optionsType, typeof(bool)]);
        if (optionsType == null || levelProperty == null || ctor == null) return null;
        return (output, level) =>
        {
            // new GZipStream(output, new ZLibCompressionOptions { CompressionLevel = level }, leaveOpen: true)
            var options = Activator.CreateInstance(optionsType)!;
            levelProperty.SetValue(options, level);
            return (GZipStream)ctor.Invoke([output, options, true]);
        };
    }
#endif
}
