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
    /// The Debian packages of the plan's host files, from the sysroot's dpkg database (read once). Host files for which
    /// <paramref name="inBase"/> is true are dropped later for the base's own: their packages are not listed.
    /// Reports SLIM1111-SLIM1113; a damaged database is a warning, never a failure.
    /// </summary>
    public static HostPackages Lookup(RootfsPlan plan, string sysroot, Action<SlimDiagnostic> report, Func<RootfsEntry, bool>? inBase = null)
    {
        var hostFiles = plan.Entries.Where(e => e.Origin == EntryOrigin.System && e.Kind == EntryKind.File && e.SourcePath != null
                                                && inBase?.Invoke(e) != true).ToList();
        if (hostFiles.Count == 0) return HostPackages.None;
        if (!DpkgDatabase.Exists(sysroot))
        {
            // An RPM database (classic or since rpm 4.16's /usr/lib/sysimage) says why: RPM-based sysroots are not described.
            var rpm = RpmDatabases.FirstOrDefault(d => Directory.Exists(SysrootPath.ToHost(sysroot, d)));
            report(rpm != null
                ? SlimDiagnostic.Info("SLIM5201", sysroot, rpm, string.Join(", ", hostFiles.Select(e => e.Path)))
                : SlimDiagnostic.Info("SLIM1112", sysroot, string.Join(", ", hostFiles.Select(e => e.Path))));
            return HostPackages.None;
        }
        var problems = new List<string>();
        var realPaths = hostFiles.ToDictionary(e => e.Path, e => InSysroot(sysroot, e.SourcePath!), StringComparer.Ordinal);
        var owners = DpkgDatabase.Owners(sysroot, realPaths.Values.OfType<string>().ToList(), problems);
        var packageNames = owners.Values.ToHashSet(StringComparer.Ordinal);
        var stanzas = packageNames.Count == 0 ? [] : DpkgDatabase.Stanzas(sysroot, packageNames, problems);
        var unowned = hostFiles.Where(e => realPaths[e.Path] is not { } real || !owners.ContainsKey(real)).Select(e => e.Path).ToList();
        if (problems.Count > 0)
            report(SlimDiagnostic.Warning("SLIM1113", sysroot, string.Join("; ", problems)));
        if (unowned.Count > 0)
            report(SlimDiagnostic.Info("SLIM1111", sysroot, string.Join(", ", unowned)));

        // One per package name, as distroless has it; the same package for two architectures in one image is not.
        var packages = stanzas.Values.GroupBy(p => p.Name).Select(g => g.First()).OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
        var byImagePath = new Dictionary<string, DpkgPackage>(StringComparer.Ordinal);
        foreach (var (path, real) in realPaths)
            if (real != null && owners.TryGetValue(real, out var owner) && stanzas.TryGetValue(owner, out var package))
                byImagePath[path] = packages.First(p => p.Name == package.Name);
        var osRelease = ReadSmall(sysroot, OsRelease) ?? ReadSmall(sysroot, "/usr/lib/os-release");
        return new HostPackages(packages, byImagePath, osRelease, ReadSmall(sysroot, DebianVersion)) { Sysroot = sysroot };
    }

    /// <summary>
    /// The plan with the scanner files of <paramref name="packages"/> added (in the system layer); the plan as it was
    /// when there are none. Reports SLIM1110 with what was listed and how long the lookup took. Packages
    /// <paramref name="basePackages"/> lists are not listed again: the base's database is extended, not repeated.
    /// </summary>
    public static RootfsPlan Add(RootfsPlan plan, HostPackages packages, Action<SlimDiagnostic> report, TimeSpan lookup = default,
        BasePackages? basePackages = null)
    {
        basePackages ??= BasePackages.None;
        if (basePackages.Problems.Count > 0)
            report(SlimDiagnostic.Warning("SLIM5203", basePackages.Name, string.Join("; ", basePackages.Problems)));
        var all = packages;
        packages = packages with
        {
            Packages = packages.Packages.Where(p => !basePackages.Packages.Contains(p.Name + ":" + p.Architecture)
                                                    && !basePackages.Packages.Contains(p.Name)).ToList(),
        };
        var added = new List<RootfsEntry>();
        if (packages.Packages.Count > 0 && packages.OsRelease != null)
        {
            added.Add(RootfsEntry.Generated(OsRelease, packages.OsRelease) with { Reason = "for image scanners" });
            if (packages.DebianVersion != null)
                added.Add(RootfsEntry.Generated(DebianVersion, packages.DebianVersion) with { Reason = "for image scanners" });
            foreach (var package in packages.Packages)
                added.Add(RootfsEntry.Generated(StatusDir + "/" + package.Name, Encoding.UTF8.GetBytes(package.Stanza))
                    with { Reason = "for image scanners" });
        }
        else if (packages.Packages.Count > 0)
            report(SlimDiagnostic.Warning("SLIM1113", packages.Sysroot, $"no {OsRelease} or /usr/lib/os-release, without which scanners do not look for packages"));
        // The base's os-release wins (BaseOverlay keeps it): stanzas from another distribution are judged by its advisories.
        if (packages.Packages.Count > 0 && packages.OsRelease is { } osRelease && basePackages.OsRelease is { } baseRelease
            && Distribution(baseRelease) is var theirs && Distribution(osRelease) is var ours && theirs != ours)
            report(SlimDiagnostic.Warning("SLIM5202", theirs, ours, packages.Sysroot, string.Join(", ", packages.Packages.Select(p => p.Name))));
        if (all == HostPackages.None) return plan;
        report(SlimDiagnostic.Info("SLIM1110", added.Count == 0 ? 0 : packages.Packages.Count,
            packages.Packages.Count == 0 || added.Count == 0 ? "none" : string.Join(", ", packages.Packages.Select(p => p.Name)),
            (long)lookup.TotalMilliseconds));
        if (added.Count == 0) return plan;
        var paths = plan.Entries.Select(e => e.Path).ToHashSet(StringComparer.Ordinal);
        var entries = plan.Entries.Concat(added.Where(e => !paths.Contains(e.Path))).OrderBy(e => e.Path, StringComparer.Ordinal).ToList();
        return plan with { Entries = entries };
    }

    /// <summary>
    /// <see cref="Lookup"/> then <see cref="Add(RootfsPlan, HostPackages, Action{SlimDiagnostic}, TimeSpan, BasePackages?)"/>.
    /// </summary>
    public static RootfsPlan Add(RootfsPlan plan, string sysroot, Action<SlimDiagnostic> report, Func<RootfsEntry, bool>? inBase = null,
        BasePackages? basePackages = null)
    {
        var clock = Stopwatch.StartNew();
        var packages = Lookup(plan, sysroot, report, inBase);
        return Add(plan, packages, report, clock.Elapsed, basePackages);
    }

    private static readonly string[] RpmDatabases = ["/var/lib/rpm", "/usr/lib/sysimage/rpm"];

    /// <summary>ID and VERSION_ID of an os-release (os-release(5)), e.g. <c>debian 12</c>; a base's is untrusted, so each is cut short.</summary>
    private static string Distribution(byte[] osRelease)
    {
        string Field(string name) => Encoding.UTF8.GetString(osRelease).Split('\n')
            .Where(l => l.StartsWith(name + "=", StringComparison.Ordinal)).Select(l => l[(name.Length + 1)..].Trim().Trim('"', '\''))
            .Select(v => v.Length > 40 ? v[..40] + "…" : v).FirstOrDefault() ?? "";
        return $"{Field("ID")} {Field("VERSION_ID")}".Trim() is { Length: > 0 } d ? d : "an unnamed distribution";
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
