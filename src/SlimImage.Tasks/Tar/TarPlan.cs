using System.Globalization;
using System.Text;
using SlimImage.Diagnostics;
using SlimImage.FileSystem;
using SlimImage.Entries;

namespace SlimImage.Tar;

/// <summary>
/// Turns a bag of rootfs entries into the exact list a tar will hold, as jib's ReproducibleLayerBuilder does: checked,
/// de-duplicated, every parent directory present, sorted by the bytes of the UTF-8 path. The input order never
/// reaches the output.
/// </summary>
internal static class TarPlan
{
    /// <summary>Permission bits and sticky (01777): setuid/setgid are dropped, nothing in the image needs them.</summary>
    internal const int ModeMask = 0x3FF;
    private const int DefaultDirectoryMode = 0x1ED; // 0755

    public static IReadOnlyList<RootfsEntry> Build(IEnumerable<RootfsEntry> entries)
    {
        var byPath = new Dictionary<string, RootfsEntry>(StringComparer.Ordinal);
        foreach (var raw in entries)
        {
            Validate(raw);
            // "/" itself is not an entry: its mode and owner are the runtime's business (OCI image-spec layer.md).
            if (raw.Path == "/") continue;
            var entry = raw with { Mode = raw.Mode & ModeMask };
            if (byPath.TryGetValue(entry.Path, out var existing))
            {
                if (!Same(existing, entry))
                    throw new SlimException("SLIM3003", entry.Path, Describe(existing), Describe(entry));
                continue;
            }
            byPath[entry.Path] = entry;
        }

        foreach (var path in byPath.Keys.ToList())
        {
            for (var parent = Parent(path); parent != "/"; parent = Parent(parent))
            {
                if (byPath.TryGetValue(parent, out var existing))
                {
                    // A symlinked parent would make the runtime's extractor resolve links while unpacking: refuse.
                    if (existing.Kind != EntryKind.Directory)
                        throw new SlimException("SLIM3004", parent, path, Describe(existing));
                    break;
                }
                byPath[parent] = RootfsEntry.Dir(parent, DefaultDirectoryMode) with { Reason = "parent of " + path };
            }
        }

        var keyed = byPath.Values.Select(e => (Key: Encoding.UTF8.GetBytes(e.Path), Entry: e)).ToArray();
        Array.Sort(keyed, (a, b) => a.Key.AsSpan().SequenceCompareTo(b.Key));
        return keyed.Select(k => k.Entry).ToArray();
    }

    /// <summary>The tar name of an entry: relative, and directories end with '/' (as docker and tar write them).</summary>
    public static string TarName(RootfsEntry entry) =>
        entry.Kind == EntryKind.Directory ? entry.Path[1..] + "/" : entry.Path[1..];

    private static string Parent(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash <= 0 ? "/" : path[..slash];
    }

    private static void Validate(RootfsEntry e)
    {
        string? why = null;
        if (string.IsNullOrEmpty(e.Path) || e.Path[0] != '/') why = "the path is not absolute";
        else if (e.Path != "/" && (e.Path.EndsWith('/') || e.Path.Contains("//", StringComparison.Ordinal)
                 || e.Path.Split('/').Skip(1).Any(s => s is "." or "..")))
            why = "the path is not normalised (no trailing '/', '//', '.' or '..')";
        else if (e.Path.Contains('\0')) why = "the path contains a NUL character";
        else if (e.Path == "/" && e.Kind != EntryKind.Directory) why = "'/' can only be a directory";
        else if (e.Mode is < 0 or > 0xFFF) why = "the mode is not between 0 and 07777";
        else if (e.Uid < 0 || e.Gid < 0) why = "the owner is negative";
        else if (e.Kind == EntryKind.File && (e.SourcePath == null) == (e.Content == null))
            why = "a file needs exactly one of SourcePath and Content";
        else if (e.Kind == EntryKind.Symlink && (string.IsNullOrEmpty(e.LinkTarget) || e.LinkTarget.Contains('\0')))
            why = "a symlink needs a target without NUL characters";
        if (why != null) throw new SlimException("SLIM3005", e.Path, why);
    }

    private static bool Same(RootfsEntry a, RootfsEntry b) =>
        a.Kind == b.Kind && a.Mode == b.Mode && a.Uid == b.Uid && a.Gid == b.Gid
        && string.Equals(a.LinkTarget, b.LinkTarget, StringComparison.Ordinal)
        && (a.Kind != EntryKind.File || SameContent(a, b));

    private static bool SameContent(RootfsEntry a, RootfsEntry b)
    {
        if (a.Content != null && b.Content != null) return a.Content.AsSpan().SequenceEqual(b.Content);
        if (a.SourcePath != null && b.SourcePath != null
            && string.Equals(Path.GetFullPath(a.SourcePath), Path.GetFullPath(b.SourcePath), StringComparison.Ordinal))
            return true;
        using var x = Open(a);
        using var y = Open(b);
        if (x.Length != y.Length) return false;
        var bx = new byte[64 * 1024];
        var by = new byte[bx.Length];
        int n;
        while ((n = x.ReadAtLeast(bx, bx.Length, throwOnEndOfStream: false)) > 0)
            if (y.ReadAtLeast(by, n, throwOnEndOfStream: false) != n || !bx.AsSpan(0, n).SequenceEqual(by.AsSpan(0, n)))
                return false;
        return true;
    }

    internal static Stream Open(RootfsEntry file)
    {
        if (file.Content != null) return new MemoryStream(file.Content, writable: false);
        try
        {
            return HostFile.OpenRead(file.SourcePath!, "for " + file.Path + " in the image", bufferSize: 1);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SlimException(e, "SLIM3001", file.SourcePath, e.Message);
        }
    }

    private static string Describe(RootfsEntry e)
    {
        var what = e.Kind switch
        {
            EntryKind.Directory => "a directory",
            EntryKind.Symlink => "a symlink to " + e.LinkTarget,
            _ when e.SourcePath != null => "the file " + e.SourcePath,
            _ => $"a generated file of {e.Content!.Length} bytes",
        };
        var detail = string.Create(CultureInfo.InvariantCulture, $"mode {Convert.ToString(e.Mode, 8)}, owner {e.Uid}:{e.Gid}");
        return e.Reason == null ? $"{what} ({detail})" : $"{what} ({detail}; {e.Reason})";
    }

    /// <summary>
    /// Writes planned entries (from <see cref="Build"/>) with the tar rules of a layer; with <paramref name="checksums"/>,
    /// adds every file's SHA-1 and SHA-256 in the same pass (for the SBOM).
    /// </summary>
    public static void Write(TarEntryWriter tar, IReadOnlyList<RootfsEntry> plan, CancellationToken ct, List<FileChecksum>? checksums = null)
    {
        using var hasher = checksums == null ? null : new FileHasher();
        foreach (var e in plan)
        {
            ct.ThrowIfCancellationRequested();
            var name = TarName(e);
            switch (e.Kind)
            {
                case EntryKind.Directory:
                    tar.WriteDirectory(name, e.Mode, e.Uid, e.Gid);
                    break;
                case EntryKind.Symlink:
                    tar.WriteSymlink(name, e.LinkTarget!, e.Mode, e.Uid, e.Gid);
                    break;
                case EntryKind.File when e.Content != null:
                    tar.WriteFile(name, e.Mode, e.Uid, e.Gid, e.Content);
                    hasher?.Append(e.Content);
                    break;
                default:
                    using (var source = Open(e))
                        tar.WriteFile(name, e.Mode, e.Uid, e.Gid, source.Length, source, e.SourcePath!, ct, hasher);
                    break;
            }
            if (hasher != null && e.Kind == EntryKind.File)
                checksums!.Add(hasher.Finish(e.Path));
        }
    }
}
