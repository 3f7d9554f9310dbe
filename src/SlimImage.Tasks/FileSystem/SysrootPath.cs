using SlimImage.Diagnostics;

namespace SlimImage.FileSystem;

/// <summary>A symbolic link crossed while resolving a path: where it is (sysroot terms) and its raw target text.</summary>
public sealed record SysrootLink(string Path, string Target);

/// <summary>
/// A path resolved inside a sysroot. <see cref="Links"/> lists every symbolic link crossed, in order, directory links
/// included (Debian's merged-usr <c>/lib -> usr/lib</c>); a link crossed twice is listed once. Recreating exactly
/// these links plus <see cref="RealPath"/> in an image makes <see cref="RequestedPath"/> work there as on the host.
/// </summary>
public sealed record SysrootResolution(
    string RequestedPath,
    string RealPath,
    string HostPath,
    bool IsDirectory,
    IReadOnlyList<SysrootLink> Links)
{
    /// <summary>Equal when every field is, the links compared in order (a record alone compares the list by reference).</summary>
    public bool Equals(SysrootResolution? other) =>
        other is not null && RequestedPath == other.RequestedPath && RealPath == other.RealPath
        && HostPath == other.HostPath && IsDirectory == other.IsDirectory && Links.SequenceEqual(other.Links);

    public override int GetHashCode() => HashCode.Combine(RequestedPath, RealPath, HostPath, IsDirectory, Links.Count);
}

/// <summary>
/// Resolves absolute paths inside a sysroot the way the kernel resolves them in a chroot: component by component,
/// following every symbolic link, absolute targets starting again at the sysroot, and <c>..</c> stopping at its root.
/// </summary>
public static class SysrootPath
{
    /// <summary>Linux's MAXSYMLINKS: past this many links in one lookup the kernel returns ELOOP.</summary>
    public const int MaxSymlinks = 40;

    /// <summary>
    /// Resolves <paramref name="path"/> (absolute, in sysroot terms). Returns null when it does not exist, when a link
    /// dangles, or when a file is used as a folder. Throws SLIM2002 on a symbolic link loop.
    /// </summary>
    public static SysrootResolution? Resolve(string sysroot, string path)
    {
        var walk = Walk(sysroot, path);
        if (walk.LoopAt != null) throw new SlimException("SLIM2002", path, sysroot, walk.LoopAt);
        return walk.Resolution;
    }

    /// <summary>The host path of <paramref name="pathInSysroot"/>, without resolving anything.</summary>
    public static string ToHost(string sysroot, string pathInSysroot) => Join(Root(sysroot), pathInSysroot);

    private static string Root(string sysroot) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(sysroot));

    private static string Join(string root, string pathInSysroot) => root == "/" ? pathInSysroot : root + pathInSysroot;

    /// <summary>
    /// Lexical clean-up for comparing paths: collapses repeated '/', drops "." and a trailing '/'. Keeps "..", whose
    /// meaning depends on the symbolic links in front of it.
    /// </summary>
    public static string Normalize(string path)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".");
        var joined = string.Join('/', parts);
        return path.StartsWith('/') ? "/" + joined : joined.Length == 0 ? "." : joined;
    }

    internal readonly record struct WalkResult(SysrootResolution? Resolution, string? LoopAt);

    /// <summary>Like <see cref="Resolve"/> but reports a loop as data, for searches that skip such a candidate.</summary>
    internal static WalkResult Walk(string sysroot, string path)
    {
        if (!path.StartsWith('/')) throw new ArgumentException($"'{path}' is not an absolute path.", nameof(path));
        var root = Root(sysroot);
        var pending = new Stack<string>();
        PushComponents(pending, path);
        var current = new List<string>();
        var links = new List<SysrootLink>();
        var crossed = 0;
        while (pending.Count > 0)
        {
            var name = pending.Pop();
            if (name == ".") continue;
            if (name == "..")
            {
                // In a chroot, "/.." is "/": nothing above the sysroot can be reached.
                if (current.Count > 0) current.RemoveAt(current.Count - 1);
                continue;
            }
            var inSysroot = "/" + string.Join('/', current.Append(name));
            var host = Join(root, inSysroot);
            var target = new FileInfo(host).LinkTarget;
            if (target != null)
            {
                if (++crossed > MaxSymlinks) return new(null, inSysroot);
                var link = new SysrootLink(inSysroot, target);
                if (!links.Contains(link)) links.Add(link);
                if (target.StartsWith('/')) current.Clear();
                PushComponents(pending, target);
                continue;
            }
            if (Directory.Exists(host))
            {
                current.Add(name);
            }
            else if (File.Exists(host) && pending.Count == 0)
            {
                current.Add(name);
            }
            else
            {
                return new(null, null); // missing, or ENOTDIR
            }
        }
        var real = "/" + string.Join('/', current);
        var realHost = Join(root, real);
        return new(new SysrootResolution(path, real, realHost, Directory.Exists(realHost), links), null);
    }

    private static void PushComponents(Stack<string> pending, string path)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var i = parts.Length - 1; i >= 0; i--) pending.Push(parts[i]);
    }
}
