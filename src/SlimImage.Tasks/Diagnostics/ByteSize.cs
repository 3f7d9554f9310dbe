using System.Globalization;

namespace SlimImage.Diagnostics;

/// <summary>How every message writes a number of bytes: "12.3 MB", "4.0 KB", "17 B" (binary units, one decimal).</summary>
public static class ByteSize
{
    public static string Format(long bytes) => bytes switch
    {
        >= 1 << 20 => (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture) + " MB",
        >= 1 << 10 => (bytes / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KB",
        _ => bytes.ToString(CultureInfo.InvariantCulture) + " B",
    };

    /// <summary>"8 GiB", "512 MiB", "1000 B": a limit as the user would write it back, exact, in the largest unit that divides it.</summary>
    public static string Exact(long bytes)
    {
        foreach (var (shift, unit) in new[] { (40, "TiB"), (30, "GiB"), (20, "MiB"), (10, "KiB") })
            if (bytes >= 1L << shift && bytes % (1L << shift) == 0)
                return (bytes >> shift).ToString(CultureInfo.InvariantCulture) + " " + unit;
        return bytes.ToString(CultureInfo.InvariantCulture) + " B";
    }
}
