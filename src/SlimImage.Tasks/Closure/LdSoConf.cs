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
        foreach (var raw in HostFile.ReadAllText(file.HostPath, "loader configuration").Split('\n'))
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
            var next = new List<string>();
            foreach (var folder in matches)
            {
                var resolved = SysrootPath.Walk(sysroot, folder.Length == 0 ? "/" : folder).Resolution;
                if (resolved == null || !resolved.IsDirectory) continue;
                next.AddRange(Directory.EnumerateFileSystemEntries(resolved.HostPath)
                    .Select(Path.GetFileName)
                    .Where(n => n != null && Matches(part, n) && (!n.StartsWith('.') || part.StartsWith('.')))
                    .Select(n => folder + "/" + n));
            }
            matches = next;
        }
        return matches.Where(m => m.Length > 0).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Whether a file name matches one glob component: '*' any run, '?' any character, '[...]' a set with ranges,
    /// negated by a leading '!' or '^' (a ']' right after '[' is a member). Matched directly rather than through a
    /// Regex, whose construction is most of this file's cost on first use.
    /// </summary>
    internal static bool Matches(string pattern, string name)
    {
        int p = 0, n = 0, afterStar = -1, starAt = 0;
        while (n < name.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                afterStar = ++p;
                starAt = n;
                continue;
            }
            if (p < pattern.Length && MatchesOne(pattern, ref p, name[n]))
            {
                n++;
                continue;
            }
            if (afterStar < 0) return false;
            // Let the last '*' take one more character and try again from there.
            p = afterStar;
            n = ++starAt;
        }
        while (p < pattern.Length && pattern[p] == '*') p++;
        return p == pattern.Length;
    }

    /// <summary>Whether <paramref name="c"/> matches the token at <paramref name="p"/>; moves past it only if so.</summary>
    private static bool MatchesOne(string pattern, ref int p, char c)
    {
        var token = pattern[p];
        var close = token == '[' ? pattern.IndexOf(']', p + 2) : -1;
        if (token == '?' || (close < 0 && token == c))
        {
            p++;
            return true;
        }
        if (close < 0) return false;
        var set = pattern.AsSpan(p + 1, close - p - 1);
        var negate = set.Length > 1 && set[0] is '!' or '^';
        if (negate) set = set[1..];
        var found = false;
        for (var i = 0; i < set.Length; i++)
        {
            if (i + 2 < set.Length && set[i + 1] == '-')
            {
                found |= c >= set[i] && c <= set[i + 2];
                i += 2;
            }
            else found |= set[i] == c;
        }
        if (found == negate) return false;
        p = close + 1;
        return true;
    }
}
