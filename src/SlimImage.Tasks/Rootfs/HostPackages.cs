namespace SlimImage.Rootfs;

/// <summary>
/// The Debian packages of the host files a plan takes from the sysroot, read once per build from its dpkg database:
/// what the scanner metadata writes into the image and what the SBOM lists.
/// </summary>
/// <param name="Packages">One per package name, sorted by name.</param>
/// <param name="Owners">The package of each host file, by its path in the image; files of no package are absent.</param>
/// <param name="OsRelease">The sysroot's <c>/etc/os-release</c> (or <c>/usr/lib/os-release</c>), if it has one.</param>
/// <param name="DebianVersion">The sysroot's <c>/etc/debian_version</c>, if it has one.</param>
public sealed record HostPackages(IReadOnlyList<DpkgPackage> Packages, IReadOnlyDictionary<string, DpkgPackage> Owners,
    byte[]? OsRelease, byte[]? DebianVersion)
{
    /// <summary>None: no host file, or no dpkg database.</summary>
    public static readonly HostPackages None = new([], new Dictionary<string, DpkgPackage>(), null, null);

    /// <summary>The sysroot the database was read from, for messages.</summary>
    public string Sysroot { get; init; } = "/";

    /// <summary>
    /// The distribution as trivy names it in a purl's <c>distro</c> qualifier (<c>debian-12.11</c>): the ID of
    /// os-release and the content of debian_version, else os-release's VERSION_ID; null when unknown.
    /// </summary>
    public string? Distro
    {
        get
        {
            var fields = OsReleaseFields();
            var id = fields.GetValueOrDefault("ID");
            var version = DebianVersion == null ? null : System.Text.Encoding.UTF8.GetString(DebianVersion).Trim();
            if (string.IsNullOrEmpty(version) || !char.IsAsciiDigit(version[0])) version = fields.GetValueOrDefault("VERSION_ID");
            return string.IsNullOrEmpty(id) || string.IsNullOrEmpty(version) ? null : id + "-" + version;
        }
    }

    /// <summary>The <c>NAME=value</c> lines of os-release, quotes removed.</summary>
    public IReadOnlyDictionary<string, string> OsReleaseFields()
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        if (OsRelease == null) return fields;
        foreach (var line in System.Text.Encoding.UTF8.GetString(OsRelease).Split('\n'))
        {
            var eq = line.IndexOf('=');
            if (eq <= 0) continue;
            fields[line[..eq].Trim()] = line[(eq + 1)..].Trim().Trim('"', '\'');
        }
        return fields;
    }
}
