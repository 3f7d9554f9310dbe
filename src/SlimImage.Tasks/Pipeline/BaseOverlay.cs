using SlimImage.Base;
using System.Text;
using SlimImage.Closure;
using SlimImage.Diagnostics;
using SlimImage.Rootfs;
using SlimImage.Entries;

namespace SlimImage.Pipeline;

/// <summary>
/// Fits SlimImage's content onto a base so that it adds to the base instead of breaking it:
/// a library or loader the base already has at the path the loader opens is not added again (nor walked for
/// dependencies); folders and links of the base stay as they are (a layer entry for a folder would replace its
/// mode and owner, one for a path under a base link would replace the link); /etc/passwd and /etc/group are
/// extended, not replaced; the base's /etc/nsswitch.conf is kept.
/// </summary>
public static class BaseOverlay
{
    /// <summary>The closure without what the base provides; <paramref name="provided"/> receives those paths.</summary>
    public static ClosureResult WithoutBaseLibraries(ClosureResult closure, BaseFileSystem files, List<string> provided)
    {
        if (files.Count == 0) return closure;
        bool InBase(string? path)
        {
            if (path == null || files.Resolve(path) is not { Kind: EntryKind.File }) return false;
            provided.Add(path);
            return true;
        }
        return closure with
        {
            Libraries = closure.Libraries.Where(l => !InBase(l.LoaderPath)).ToList(),
            Interpreters = closure.Interpreters.Where(i => !InBase(i.Path)).ToList(),
        };
    }

    /// <summary>
    /// The plan adjusted to the base. <paramref name="provided"/> receives host files dropped because the base has
    /// them. Throws SLIM1305 when <paramref name="user"/> is a name the merged /etc/passwd lacks.
    /// </summary>
    public static RootfsPlan Apply(RootfsPlan plan, BaseFileSystem files, string user, List<string> provided)
    {
        if (files.Count == 0) return plan;
        var result = new SortedDictionary<string, RootfsEntry>(StringComparer.Ordinal);
        foreach (var original in plan.Entries)
        {
            var path = files.RealParentPath(original.Path);
            var entry = original with { Path = path };
            var existing = files.Get(path);
            switch (entry.Kind)
            {
                case EntryKind.Symlink when existing != null:
                    continue;
                case EntryKind.Directory when files.Resolve(path) is { Kind: EntryKind.Directory } dir:
                    entry = entry with { Mode = dir.Mode, Uid = dir.Uid, Gid = dir.Gid };
                    break;
                case EntryKind.File when path is "/etc/passwd" or "/etc/group" && files.Content(path) is { } content:
                    entry = entry with { Content = Extend(content, entry.Content!), SourcePath = null };
                    break;
                case EntryKind.File when path == "/etc/nsswitch.conf" && existing != null:
                    continue;
                // The base's own package database stays as it is: its os-release and its packages' stanzas win.
                case EntryKind.File when path is ScannerMetadata.OsRelease or ScannerMetadata.DebianVersion && files.Resolve(path) != null:
                    continue;
                case EntryKind.File when path.StartsWith(ScannerMetadata.StatusDir + "/", StringComparison.Ordinal) && existing != null:
                    continue;
                case EntryKind.File when ProvidesHostFile(files, entry):
                    provided.Add(path);
                    continue;
            }
            result.TryAdd(path, entry);
        }
        // A parent folder the layer writer would add as 0755 root gets the base's mode and owner instead.
        foreach (var path in result.Keys.ToList())
        {
            for (var parent = Parent(path); parent != "/"; parent = Parent(parent))
            {
                if (result.ContainsKey(parent)) break;
                if (files.Get(parent) is { Kind: EntryKind.Directory } dir)
                    result[parent] = RootfsEntry.Dir(parent, dir.Mode, dir.Uid, dir.Gid) with { Reason = "folder of the base" };
            }
        }
        CheckUser(user, result.GetValueOrDefault("/etc/passwd")?.Content ?? files.Content("/etc/passwd"),
            result.GetValueOrDefault("/etc/group")?.Content ?? files.Content("/etc/group"));
        return plan with { Entries = result.Values.ToList(), HostFiles = plan.HostFiles.Where(h => !provided.Contains(h.ImagePath)).ToList() };
    }

    /// <summary>True when <paramref name="entry"/> is a file of the build machine that the base already has at its path.</summary>
    public static bool ProvidesHostFile(BaseFileSystem files, RootfsEntry entry) =>
        files.Count > 0 && entry is { Kind: EntryKind.File, Origin: EntryOrigin.System, SourcePath: not null }
        && files.Resolve(files.RealParentPath(entry.Path)) is { Kind: EntryKind.File };

    /// <summary>The base's lines, then each of SlimImage's whose name the base does not have.</summary>
    internal static byte[] Extend(byte[] baseFile, byte[] ours)
    {
        var text = Encoding.UTF8.GetString(baseFile);
        var names = text.Split('\n').Select(l => l.Split(':')[0]).ToHashSet(StringComparer.Ordinal);
        var result = new StringBuilder(text);
        if (result.Length > 0 && result[^1] != '\n') result.Append('\n');
        foreach (var line in Encoding.UTF8.GetString(ours).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            if (!names.Contains(line.Split(':')[0]))
                result.Append(line).Append('\n');
        return Encoding.UTF8.GetBytes(result.ToString());
    }

    /// <summary>runc resolves a user or group name through the image's own files: check it here, not at start.</summary>
    private static void CheckUser(string user, byte[]? passwd, byte[]? group)
    {
        var parts = user.Split(':');
        for (var i = 0; i < parts.Length && i < 2; i++)
        {
            if (parts[i].Length == 0 || parts[i].All(char.IsAsciiDigit)) continue;
            var table = i == 0 ? passwd : group;
            var names = table == null ? [] : Encoding.UTF8.GetString(table).Split('\n').Select(l => l.Split(':')[0]).Where(n => n.Length > 0).ToList();
            if (!names.Contains(parts[i]))
                throw new SlimException("SLIM1305", user, parts[i], names.Count == 0 ? "none" : string.Join(", ", names));
        }
    }

    private static string Parent(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash <= 0 ? "/" : path[..slash];
    }
}
