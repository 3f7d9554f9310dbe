using System.Text;
using System.Text.RegularExpressions;
using SlimImage.FileSystem;

namespace SlimImage.Closure;

/// <summary>
/// Reads /etc/ld.so.conf inside a sysroot the way ldconfig does, to know the directories that ld.so.cache covers on
/// the build machine (glibc's ld.so searches the cache after RUNPATH and before the default directories).
/// </summary>
public static class LdSoConf
{
    // ldconfig has no limit but a cycle would recurse forever; real configurations nest one level.
    private const int MaxDepth = 16;

    /// <summary>
    /// The directories listed, in order, first occurrence kept, in sysroot terms without a trailing '/'. Follows
    /// <c>include</c> lines (several patterns per line; a relative pattern is relative to the including file's folder,
    /// as in ldconfig's <c>parse_conf_include</c>; matches sorted like glob(3)); ignores comments and <c>hwcap</c>
    /// lines; strips the legacy <c>dir=TYPE</c> suffix. A missing file yields no directories.
    /// </summary>
    public static IReadOnlyList<string> Read(string sysroot = "/", string path = "/etc/ld.so.conf")
    {
        var dirs = new List<string>();
        Parse(sysroot, path, 0, new HashSet<string>(StringComparer.Ordinal), dirs);
        return dirs;
    }

    private static void Parse(string sysroot, string path, int depth, HashSet<string> seen, List<string> dirs)
    {
        if (depth > MaxDepth) return;
        var file = SysrootPath.Walk(sysroot, path).Resolution;
        if (file == null || file.IsDirectory || !seen.Add(file.RealPath)) return;
        foreach (var raw in File.ReadLines(file.HostPath))
        {
            var hash = raw.IndexOf('#');
            var line = (hash >= 0 ? raw[..hash] : raw).Trim();
            if (line.Length == 0) continue;
            var words = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (words[0] == "include")
            {
                var folder = path[..(path.LastIndexOf('/') + 1)];
                foreach (var pattern in words.Skip(1))
                {
                    var absolute = pattern.StartsWith('/') ? pattern : folder + pattern;
                    foreach (var match in Glob(sysroot, absolute)) Parse(sysroot, match, depth + 1, seen, dirs);
                }
            }
            else if (words[0] == "hwcap")
            {
                // hwcap lines only tag hardware-capability subdirectories for ldconfig's cache; no search dir.
            }
            else
            {
                var equals = line.IndexOf('=');
                var dir = SysrootPath.Normalize(equals >= 0 ? line[..equals].Trim() : line);
                if (dir.StartsWith('/') && !dirs.Contains(dir)) dirs.Add(dir);
            }
        }
    }

    /// <summary>Expands '*', '?' and '[...]' in any component; like glob(3), a wildcard never matches a leading '.'.</summary>
    internal static IEnumerable<string> Glob(string sysroot, string pattern)
    {
        var matches = new List<string> { "" };
        foreach (var part in pattern.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part.IndexOfAny(['*', '?', '[']) < 0)
            {
                matches = matches.Select(m => m + "/" + part).ToList();
                continue;
            }
            var regex = new Regex(ToRegex(part), RegexOptions.CultureInvariant);
            var next = new List<string>();
            foreach (var folder in matches)
            {
                var resolved = SysrootPath.Walk(sysroot, folder.Length == 0 ? "/" : folder).Resolution;
                if (resolved == null || !resolved.IsDirectory) continue;
                next.AddRange(Directory.EnumerateFileSystemEntries(resolved.HostPath)
                    .Select(Path.GetFileName)
                    .Where(n => n != null && regex.IsMatch(n) && (!n.StartsWith('.') || part.StartsWith('.')))
                    .Select(n => folder + "/" + n));
            }
            matches = next;
        }
        return matches.Where(m => m.Length > 0).Order(StringComparer.Ordinal).ToList();
    }

    private static string ToRegex(string part)
    {
        var sb = new StringBuilder("^");
        for (var i = 0; i < part.Length; i++)
        {
            var c = part[i];
            var close = c == '[' ? part.IndexOf(']', i + 2) : -1;
            if (c == '*') sb.Append(".*");
            else if (c == '?') sb.Append('.');
            else if (close > 0)
            {
                var set = part[(i + 1)..close];
                if (set.StartsWith('!')) set = "^" + set[1..];
                sb.Append('[').Append(set.Replace("\\", "\\\\")).Append(']');
                i = close;
            }
            else sb.Append(Regex.Escape(c.ToString()));
        }
        return sb.Append('$').ToString();
    }
}
