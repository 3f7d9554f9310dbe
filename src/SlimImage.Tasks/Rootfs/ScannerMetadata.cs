using System.Diagnostics;
using System.Text;
using SlimImage.Diagnostics;
using SlimImage.FileSystem;
using SlimImage.Entries;

namespace SlimImage.Rootfs;

/// <summary>
/// What lets an image scanner (trivy, grype, syft) see the operating system packages the image carries, as
/// distroless images do: <c>/etc/os-release</c> and one status stanza per package in
/// <c>/var/lib/dpkg/status.d/&lt;package&gt;</c>. Without them a scanner finds the NuGet packages but not the host's
/// OpenSSL, ICU or glibc. Only the packages whose files the image has are listed; files of no package are reported.
/// </summary>
public static class ScannerMetadata
{
    public const string OsRelease = "/etc/os-release";
    public const string StatusDir = "/var/lib/dpkg/status.d";
    /// <summary>trivy detects Debian by this file, not by os-release (its os-release analyzer knows other distributions).</summary>
    public const string DebianVersion = "/etc/debian_version";
    private const int MaxSmallFile = 64 * 1024;

    /// <summary>
    /// The plan with the scanner files added (in the system layer); the plan as it was when there are none. Host files
    /// for which <paramref name="inBase"/> is true are dropped later for the base's own: their packages are not listed.
    /// </summary>
    /// <remarks><paramref name="packagesOf"/>, when given, receives the package of each host file by image path (for the size report).</remarks>
    public static RootfsPlan Add(RootfsPlan plan, string sysroot, Action<SlimDiagnostic> report, Func<RootfsEntry, bool>? inBase = null,
        IDictionary<string, string>? packagesOf = null)
    {
        var hostFiles = HostFiles(plan, inBase);
        if (hostFiles.Count == 0) return plan;
        if (!DpkgDatabase.Exists(sysroot))
        {
            report(SlimDiagnostic.Info("SLIM1112", sysroot, string.Join(", ", hostFiles.Select(e => e.Path))));
            return plan;
        }
        var clock = Stopwatch.StartNew();
        var problems = new List<string>();
        var realPaths = hostFiles.ToDictionary(e => e.Path, e => InSysroot(sysroot, e.SourcePath!), StringComparer.Ordinal);
        var owners = DpkgDatabase.Owners(sysroot, realPaths.Values.OfType<string>().ToList(), problems);
        var packageNames = owners.Values.ToHashSet(StringComparer.Ordinal);
        var packages = packageNames.Count == 0 ? [] : DpkgDatabase.Stanzas(sysroot, packageNames, problems);
        var unowned = hostFiles.Where(e => realPaths[e.Path] is not { } real || !owners.ContainsKey(real)).Select(e => e.Path).ToList();
        if (packagesOf != null) CopyOwners(hostFiles, realPaths, owners, packagesOf);
        if (problems.Count > 0)
            report(SlimDiagnostic.Warning("SLIM1113", sysroot, string.Join("; ", problems)));
        if (unowned.Count > 0)
            report(SlimDiagnostic.Info("SLIM1111", sysroot, string.Join(", ", unowned)));

        // One file per package name, as distroless has it; the same package for two architectures in one image is not.
        packages = new SortedDictionary<string, DpkgPackage>(packages.Values.GroupBy(p => p.Name).ToDictionary(g => g.Key, g => g.First()), StringComparer.Ordinal);
        var added = new List<RootfsEntry>();
        var osRelease = ReadSmall(sysroot, OsRelease) ?? ReadSmall(sysroot, "/usr/lib/os-release");
        if (packages.Count > 0 && osRelease != null)
        {
            added.Add(RootfsEntry.Generated(OsRelease, osRelease) with { Reason = "for image scanners" });
            if (ReadSmall(sysroot, DebianVersion) is { } debianVersion)
                added.Add(RootfsEntry.Generated(DebianVersion, debianVersion) with { Reason = "for image scanners" });
            foreach (var package in packages.Values)
                added.Add(RootfsEntry.Generated(StatusDir + "/" + package.Name, Encoding.UTF8.GetBytes(package.Stanza))
                    with { Reason = "for image scanners" });
        }
        else if (packages.Count > 0)
            report(SlimDiagnostic.Warning("SLIM1113", sysroot, $"no {OsRelease} or /usr/lib/os-release, without which scanners do not look for packages"));
        report(SlimDiagnostic.Info("SLIM1110", added.Count == 0 ? 0 : packages.Count,
            packages.Count == 0 || added.Count == 0 ? "none" : string.Join(", ", packages.Values.Select(p => p.Name)),
            clock.ElapsedMilliseconds));
        if (added.Count == 0) return plan;
        var paths = plan.Entries.Select(e => e.Path).ToHashSet(StringComparer.Ordinal);
        var entries = plan.Entries.Concat(added.Where(e => !paths.Contains(e.Path))).OrderBy(e => e.Path, StringComparer.Ordinal).ToList();
        return plan with { Entries = entries };
    }

    /// <summary>
    /// The Debian package (without <c>:arch</c>) of each host file of the plan, by image path, read once from the
    /// sysroot's dpkg lists; for the size report when no scanner metadata is written. A damaged database gives fewer.
    /// </summary>
    public static IReadOnlyDictionary<string, string> PackagesOf(RootfsPlan plan, string sysroot)
    {
        var packages = new Dictionary<string, string>(StringComparer.Ordinal);
        var hostFiles = HostFiles(plan, null);
        if (hostFiles.Count == 0 || !DpkgDatabase.Exists(sysroot)) return packages;
        var realPaths = hostFiles.ToDictionary(e => e.Path, e => InSysroot(sysroot, e.SourcePath!), StringComparer.Ordinal);
        var owners = DpkgDatabase.Owners(sysroot, realPaths.Values.OfType<string>().ToList(), []);
        CopyOwners(hostFiles, realPaths, owners, packages);
        return packages;
    }

    private static List<RootfsEntry> HostFiles(RootfsPlan plan, Func<RootfsEntry, bool>? inBase) =>
        plan.Entries.Where(e => e.Origin == EntryOrigin.System && e.Kind == EntryKind.File && e.SourcePath != null
                                && inBase?.Invoke(e) != true).ToList();

    private static void CopyOwners(List<RootfsEntry> hostFiles, Dictionary<string, string?> realPaths, Dictionary<string, string> owners,
        IDictionary<string, string> packagesOf)
    {
        foreach (var e in hostFiles)
            if (realPaths[e.Path] is { } real && owners.TryGetValue(real, out var package))
                packagesOf[e.Path] = package.Split(':')[0];
    }

    /// <summary>The real path inside the sysroot of a host file, or null when it is not under the sysroot.</summary>
    private static string? InSysroot(string sysroot, string hostPath)
    {
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(sysroot));
        var full = Path.GetFullPath(hostPath);
        var inside = root == "/" ? full : full.StartsWith(root + "/", StringComparison.Ordinal) ? full[root.Length..] : null;
        return inside == null ? null : DpkgDatabase.RealPath(sysroot, inside);
    }

    /// <summary>The content of a small file of the sysroot (os-release is usually a link to /usr/lib/os-release).</summary>
    private static byte[]? ReadSmall(string sysroot, string path)
    {
        var real = DpkgDatabase.RealPath(sysroot, path);
        if (real == null) return null;
        var host = SysrootPath.ToHost(sysroot, real);
        try
        {
            return File.Exists(host) && new FileInfo(host).Length <= MaxSmallFile ? File.ReadAllBytes(host) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
