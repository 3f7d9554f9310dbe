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
}
