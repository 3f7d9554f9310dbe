namespace SlimImage.Rootfs;

/// <summary>
/// What a base image's own dpkg database says, so that the image's package list adds to it instead of repeating it:
/// the packages the base lists (in <c>/var/lib/dpkg/status</c>, as Debian's images have it, or one file each in
/// <c>status.d/</c>, as distroless has it) and the base's os-release.
/// </summary>
/// <param name="Packages">Installed packages the base lists, as <c>name</c> and as <c>name:arch</c>.</param>
/// <param name="OsRelease">The base's os-release content; null when it has none.</param>
/// <param name="Problems">What could not be read of the base's database, each naming the file.</param>
/// <param name="Name">The base, for messages.</param>
public sealed record BasePackages(IReadOnlySet<string> Packages, byte[]? OsRelease, IReadOnlyList<string> Problems, string Name)
{
    public static BasePackages None { get; } = new(new HashSet<string>(), null, [], "scratch");

    /// <summary>
    /// Reads the base's database. <paramref name="status"/> is the content of its status file (null: none, or
    /// <paramref name="statusUnread"/> when it is there but too large to read); <paramref name="statusD"/> the names
    /// of its <c>status.d/</c> files.
    /// </summary>
    public static BasePackages Read(string baseName, byte[]? status, bool statusUnread, IEnumerable<string> statusD, byte[]? osRelease)
    {
        var problems = new List<string>();
        var packages = new HashSet<string>(statusD, StringComparer.Ordinal);
        var where = DpkgDatabase.StatusFile;
        if (statusUnread)
            problems.Add($"{where} is too large to read, so the packages it lists may be listed twice");
        else if (status != null)
            foreach (var package in DpkgDatabase.ParseStatus(System.Text.Encoding.UTF8.GetString(status).Split('\n'), where, problems))
            {
                packages.Add(package.Name);
                packages.Add(package.Name + ":" + package.Architecture);
            }
        return new BasePackages(packages, osRelease, problems, baseName);
    }
}
