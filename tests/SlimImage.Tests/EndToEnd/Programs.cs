namespace SlimImage.Tests.EndToEnd;

/// <summary>Programs the end-to-end tests publish; each prints what proves it ran, in the image, as expected.</summary>
internal static class Programs
{
    /// <summary>User name via the image's /etc/passwd, uid from the kernel, arguments, a writable /tmp.</summary>
    public const string Hello = """
        var uid = File.ReadLines("/proc/self/status").First(l => l.StartsWith("Uid:")).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1];
        var probe = Path.Combine(Path.GetTempPath(), "probe-" + Environment.ProcessId);
        File.WriteAllText(probe, "x");
        File.Delete(probe);
        Console.WriteLine($"hello user={Environment.UserName} uid={uid} cwd={Environment.CurrentDirectory} args={string.Join(",", args)} tmp=ok");
        """;

    /// <summary>Needs ICU: German number format and Turkish casing, which invariant mode gets wrong.</summary>
    public const string Globalization = """
        using System.Globalization;
        var de = 1234567.891.ToString("N2", new CultureInfo("de-DE"));
        var tr = "i".ToUpper(new CultureInfo("tr-TR"));
        Console.WriteLine($"de={de} tr={tr} user={Environment.UserName}");
        """;
}
