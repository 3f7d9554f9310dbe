using System.Text;
using System.Text.RegularExpressions;
using SlimImage.Diagnostics;
using SlimImage.FileSystem;

namespace SlimImage.Rootfs;

/// <summary>One installed package: its name (without <c>:arch</c>), architecture and status stanza as the image keeps it.</summary>
public sealed record DpkgPackage(string Name, string Architecture, string Stanza)
{
    /// <summary>The installed version as dpkg writes it, epoch included (<c>1:2.38-4</c>); empty when the stanza has none.</summary>
    public string Version { get; init; } = "";

    /// <summary>The source package's name (the <c>Source</c> field without its version), else the package's own.</summary>
    public string? Source { get; init; }
}

/// <summary>
/// Reads a sysroot's dpkg database (<c>var/lib/dpkg/info/*.list</c> and <c>var/lib/dpkg/status</c>) for the few files
/// an image takes from it. Paths are compared by their real path inside the sysroot, so that libc6's
/// <c>/lib/x86_64-linux-gnu/libc.so.6</c> matches the <c>/usr/lib/x86_64-linux-gnu/libc.so.6</c> the loader found on a
/// merged-usr system. The database is read once per build, and only for lines whose file name the image has.
/// </summary>
public static partial class DpkgDatabase
{
    public const string InfoDir = "/var/lib/dpkg/info";
    public const string StatusFile = "/var/lib/dpkg/status";

    // A damaged or hostile database must not make the build read without bound.
    private const long MaxFileSize = 64L << 20;

    // Fields scanners read (trivy, syft, grype) and dpkg needs for a valid stanza; Conffiles and the long description
    // name files and text the image does not carry.
    private static readonly string[] Kept =
        ["Package", "Status", "Priority", "Section", "Installed-Size", "Maintainer", "Architecture", "Multi-Arch",
         "Source", "Version", "Depends", "Pre-Depends", "Description", "Homepage"];

    /// <summary>Policy §5.6.1: lower-case letters, digits, '+', '-', '.'; at least two characters.</summary>
    [GeneratedRegex("^[a-z0-9][a-z0-9+.-]+$")]
    private static partial Regex PackageName();

    /// <summary>True when the sysroot has a dpkg database at all.</summary>
    public static bool Exists(string sysroot) =>
        File.Exists(SysrootPath.ToHost(sysroot, StatusFile)) || Directory.Exists(SysrootPath.ToHost(sysroot, InfoDir));

    /// <summary>
    /// The package that installed each of <paramref name="realPaths"/> (real paths inside the sysroot), as its .list
    /// file names it (<c>libc6:arm64</c> for a multi-arch package, else <c>libc6</c>); paths of no package are absent. <paramref name="problems"/> receives what could not be read.
    /// </summary>
    public static Dictionary<string, string> Owners(string sysroot, IReadOnlyCollection<string> realPaths, List<string> problems)
    {
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        var wanted = realPaths.ToHashSet(StringComparer.Ordinal);
        var names = new FileNames(realPaths.Select(p => Path.GetFileName(p)!));
        var info = SysrootPath.ToHost(sysroot, InfoDir);
        if (!Directory.Exists(info))
        {
            problems.Add($"{info} is missing, so no file can be traced to its package");
            return owners;
        }
        // Sorted, so that a path two packages claim (a diversion) always goes to the same one. A Debian system has
        // hundreds of lists, megabytes of lines: each is scanned as bytes (scanning them in parallel was slower here).
        var lists = Directory.GetFiles(info, "*.list").Order(StringComparer.Ordinal).ToList();
        var found = lists.Select(list => Scan(list, names)).ToList();
        var dirs = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (package, lines, problem) in found)
        {
            if (problem != null) problems.Add(problem);
            foreach (var line in lines)
            {
                var slash = line.LastIndexOf('/');
                var dir = line[..slash];
                if (!dirs.TryGetValue(dir, out var realDir))
                {
                    try { realDir = RealPath(sysroot, dir); }
                    catch (SlimException e) { problems.Add($"{package}.list: {e.Message}"); }
                    dirs[dir] = realDir;
                }
                var real = realDir + line[slash..];
                if (realDir != null && wanted.Contains(real))
                    owners.TryAdd(real, package);
            }
        }
        return owners;
    }

    /// <summary>The lines of one .list file whose file name is among <paramref name="names"/> (read as bytes, no line
    /// decoded unless its name matches), with the package the file is of, or the problem that stopped its reading.</summary>
    private static (string Package, List<string> Lines, string? Problem) Scan(string list, FileNames names)
    {
        var package = Path.GetFileNameWithoutExtension(list);
        var lines = new List<string>();
        var parts = package.Split(':');
        if (parts.Length > 2 || !PackageName().IsMatch(parts[0]) || (parts.Length == 2 && !PackageName().IsMatch(parts[1])))
            return (package, lines, $"{list}: '{package}' is not a Debian package name");
        try
        {
            if (new FileInfo(list).Length > MaxFileSize) throw new IOException($"larger than {MaxFileSize >> 20} MB");
            ReadOnlySpan<byte> rest = File.ReadAllBytes(list);
            while (!rest.IsEmpty)
            {
                var end = rest.IndexOf((byte)'\n');
                var line = end < 0 ? rest : rest[..end];
                rest = end < 0 ? [] : rest[(end + 1)..];
                var slash = line.LastIndexOf((byte)'/');
                if (slash > 0 && line[0] == (byte)'/' && names.Contains(line[(slash + 1)..]))
                    lines.Add(Encoding.UTF8.GetString(line));
            }
            return (package, lines, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (package, [], $"{list}: {e.Message}");
        }
    }

    /// <summary>A set of file names as UTF-8 bytes, asked about spans of a .list file without allocating.</summary>
    private sealed class FileNames
    {
        private readonly Dictionary<ulong, List<byte[]>> _byHash = [];

        public FileNames(IEnumerable<string> names)
        {
            foreach (var name in names.Distinct(StringComparer.Ordinal))
            {
                var bytes = Encoding.UTF8.GetBytes(name);
                var hash = Hash(bytes);
                if (!_byHash.TryGetValue(hash, out var same)) _byHash[hash] = same = [];
                same.Add(bytes);
            }
        }

        public bool Contains(ReadOnlySpan<byte> name)
        {
            if (!_byHash.TryGetValue(Hash(name), out var same)) return false;
            foreach (var candidate in same)
                if (name.SequenceEqual(candidate)) return true;
            return false;
        }

        private static ulong Hash(ReadOnlySpan<byte> bytes)
        {
            var hash = 0xcbf29ce484222325UL;
            foreach (var b in bytes) hash = (hash ^ b) * 0x100000001b3UL;
            return hash;
        }
    }

    /// <summary>The real path of <paramref name="path"/> inside the sysroot, or null when it does not resolve.</summary>
    public static string? RealPath(string sysroot, string path)
    {
        var walk = SysrootPath.Walk(sysroot, path);
        return walk.LoopAt == null ? walk.Resolution?.RealPath : null;
    }

    /// <summary>
    /// The installed stanzas of <paramref name="packages"/> (<c>name:arch</c> or <c>name</c>, as <see cref="Owners"/>
    /// gives them); a package without one is a problem. The architecture matters: a build machine with libc6:amd64 and
    /// libc6:arm64 has two stanzas named libc6, and an arm64 image must list the arm64 one.
    /// </summary>
    public static SortedDictionary<string, DpkgPackage> Stanzas(string sysroot, IReadOnlySet<string> packages, List<string> problems)
    {
        var found = new SortedDictionary<string, DpkgPackage>(StringComparer.Ordinal);
        var status = SysrootPath.ToHost(sysroot, StatusFile);
        try
        {
            if (new FileInfo(status).Length > MaxFileSize) throw new IOException($"larger than {MaxFileSize >> 20} MB");
            var bytes = File.ReadAllBytes(status);
            // Only the stanzas of the packages asked for are decoded and parsed, in the file's order: a Debian system's
            // status file has thousands of stanzas, an image a handful of packages.
            foreach (var (start, end) in StanzasOf(bytes, packages.Select(p => p.Split(':')[0])))
            {
                var firstLine = 1 + bytes.AsSpan(0, start).Count((byte)'\n');
                var lines = Encoding.UTF8.GetString(bytes, start, end - start).Split('\n');
                foreach (var package in ParseStatus(lines, status, problems, firstLine))
                {
                    var id = package.Name + ":" + package.Architecture;
                    if (packages.Contains(id)) found.TryAdd(id, package);
                    else if (packages.Contains(package.Name)) found.TryAdd(package.Name, package);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Add($"{status}: {e.Message}");
            return found;
        }
        foreach (var missing in packages.Where(p => !found.ContainsKey(p)).Order(StringComparer.Ordinal))
            problems.Add($"{status} has no installed package '{missing}', whose {InfoDir}/{missing}.list names files of the image");
        return found;
    }

    /// <summary>The byte ranges of the stanzas whose <c>Package:</c> line names one of <paramref name="names"/>, in file order.</summary>
    private static IEnumerable<(int Start, int End)> StanzasOf(byte[] status, IEnumerable<string> names)
    {
        var ranges = new SortedSet<(int, int)>();
        foreach (var name in names.Distinct(StringComparer.Ordinal))
        {
            var needle = Encoding.UTF8.GetBytes("Package: " + name + "\n");
            for (var from = 0; from < status.Length;)
            {
                var at = status.AsSpan(from).IndexOf(needle);
                if (at < 0) break;
                at += from;
                from = at + needle.Length;
                if (at > 0 && status[at - 1] != (byte)'\n') continue;
                var before = status.AsSpan(0, at).LastIndexOf("\n\n"u8);
                var after = status.AsSpan(at).IndexOf("\n\n"u8);
                ranges.Add((before < 0 ? 0 : before + 2, after < 0 ? status.Length : at + after + 1));
            }
        }
        return ranges;
    }

    /// <summary>
    /// The installed packages of a status file's lines. A stanza with a line that is no field (<c>Name: value</c>) nor
    /// a continuation is skipped and named in <paramref name="problems"/> with its line number (the first few).
    /// </summary>
    public static IEnumerable<DpkgPackage> ParseStatus(IEnumerable<string> lines, string where, List<string> problems, int firstLine = 1)
    {
        const int MaxReported = 5;
        var stanza = new List<string>();
        var number = firstLine - 1;
        var start = firstLine;
        var malformed = 0;
        foreach (var line in lines.Append(""))
        {
            number++;
            if (line.Length > 0) { stanza.Add(line); continue; }
            if (stanza.Count > 0)
            {
                var package = Parse(stanza, out var bad);
                if (bad != null && ++malformed <= MaxReported)
                    problems.Add($"{where}: the stanza at line {start} is malformed ('{(bad.Length > 60 ? bad[..60] + "…" : bad)}')");
                if (package != null) yield return package;
            }
            stanza.Clear();
            start = number + 1;
        }
        if (malformed > MaxReported)
            problems.Add($"{where}: {malformed - MaxReported} more malformed stanzas");
    }

    /// <summary>One stanza reduced to the kept fields, or null when it is not an installed package; <paramref name="bad"/>
    /// is the first line that is neither a field nor a continuation.</summary>
    private static DpkgPackage? Parse(List<string> lines, out string? bad)
    {
        bad = null;
        var fields = new List<(string Name, List<string> Lines)>();
        foreach (var line in lines)
        {
            if (line[0] is ' ' or '\t')
            {
                if (fields.Count > 0) fields[^1].Lines.Add(line);
                continue;
            }
            var colon = line.IndexOf(':');
            if (colon <= 0)
            {
                bad = line;
                return null;
            }
            fields.Add((line[..colon], [line]));
        }
        var name = fields.FirstOrDefault(f => f.Name == "Package").Lines?[0][8..].Trim();
        var state = fields.FirstOrDefault(f => f.Name == "Status").Lines?[0];
        var architecture = fields.FirstOrDefault(f => f.Name == "Architecture").Lines?[0][13..].Trim() ?? "";
        if (name == null || !PackageName().IsMatch(name) || state == null || !state.EndsWith(" installed", StringComparison.Ordinal))
            return null;
        var text = new StringBuilder();
        foreach (var field in Kept)
            foreach (var (fieldName, fieldLines) in fields.Where(f => f.Name == field))
                foreach (var line in field == "Description" ? fieldLines.Take(1) : fieldLines)
                    text.Append(line).Append('\n');
        var version = fields.FirstOrDefault(f => f.Name == "Version").Lines?[0][8..].Trim() ?? "";
        var source = fields.FirstOrDefault(f => f.Name == "Source").Lines?[0][7..].Trim().Split(' ')[0];
        return new DpkgPackage(name, architecture, text.ToString()) { Version = version, Source = string.IsNullOrEmpty(source) ? null : source };
    }
}
