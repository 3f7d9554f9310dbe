namespace SlimImage.Smoke;

/// <summary>Host tools the runners use, looked up on the build's PATH and in the usual folders.</summary>
internal static class Tools
{
    public const string HostPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    public static string? Find(string name)
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "") + ":" + HostPath;
        foreach (var dir in path.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate) && (File.GetUnixFileMode(candidate) & UnixFileMode.UserExecute) != 0) return candidate;
        }
        return null;
    }
}
