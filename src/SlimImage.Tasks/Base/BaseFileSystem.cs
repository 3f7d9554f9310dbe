using SlimImage.Entries;

namespace SlimImage.Base;

/// <summary>One path of a base image after all its layers are applied.</summary>
public sealed record BaseEntry(string Path, EntryKind Kind, int Mode, int Uid, int Gid, string? LinkTarget)
{
    /// <summary>Bytes of the file's content as its tar entry gives them (0 for folders and links), for the size report.</summary>
    public long Size { get; init; }

    /// <summary>The base layer (0 = the first) whose entry this is, for the size report.</summary>
    public int Layer { get; init; }

    /// <summary>The file's SHA-1 and SHA-256, when the layers were read with <see cref="BaseOptions.FileChecksums"/>.</summary>
    public Tar.FileChecksum? Checksum { get; init; }
}

/// <summary>
/// The file list of a base image, as a container runtime would see it after applying every layer in order
/// (image-spec layer.md: later entries replace earlier ones, <c>.wh.NAME</c> deletes NAME, <c>.wh..wh..opq</c> empties
/// its folder of what lower layers put there). SlimImage uses it to add nothing the base already has, and to keep
/// the base's folders and links as they are. The few small files whose content matters (/etc/passwd, /etc/group)
/// are kept too.
/// </summary>
public sealed class BaseFileSystem
{
    private const string Whiteout = ".wh.";
    private const string Opaque = ".wh..wh..opq";

    /// <summary>Files whose content is kept, to extend rather than replace them (passwd, group), or to add to the base's
    /// package database rather than repeat it (dpkg's status, os-release).</summary>
    public static readonly IReadOnlySet<string> KeptContent = new HashSet<string>(StringComparer.Ordinal)
        { "/etc/passwd", "/etc/group", "/var/lib/dpkg/status", "/etc/os-release", "/usr/lib/os-release" };

    /// <summary>The most of a kept file held in memory; a larger one is not kept (a base is untrusted).</summary>
    public const int MaxKeptContent = 16 << 20;

    private readonly Dictionary<string, BaseEntry> entries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, byte[]> contents = new(StringComparer.Ordinal);
    private HashSet<string> thisLayer = new(StringComparer.Ordinal);
    private int layer = -1;

    /// <summary>No file at all: scratch.</summary>
    public static BaseFileSystem Empty => new();

    public int Count => entries.Count;

    public IEnumerable<BaseEntry> Entries => entries.Values;

    /// <summary>Starts the next layer: what it adds from now on is not removed by its own opaque markers.</summary>
    public void BeginLayer()
    {
        thisLayer = new HashSet<string>(StringComparer.Ordinal);
        layer++;
    }

    /// <summary>Applies one tar entry of the current layer. <paramref name="content"/> is given for <see cref="KeptContent"/> paths.</summary>
    public void Apply(string tarName, EntryKind? kind, int mode, int uid, int gid, string? linkTarget, byte[]? content = null, long size = 0,
        Tar.FileChecksum? checksum = null)
    {
        var path = Clean(tarName);
        if (path == null) return;
        var name = path[(path.LastIndexOf('/') + 1)..];
        var parent = path[..Math.Max(path.LastIndexOf('/'), 0)];
        if (name == Opaque)
        {
            RemoveBelow(parent.Length == 0 ? "/" : parent, keepThisLayer: true);
            return;
        }
        if (name.StartsWith(Whiteout, StringComparison.Ordinal))
        {
            var gone = (parent.Length == 0 ? "" : parent) + "/" + name[Whiteout.Length..];
            entries.Remove(gone);
            contents.Remove(gone);
            RemoveBelow(gone, keepThisLayer: false);
            return;
        }
        if (kind == null) return;
        // A non-folder replacing a folder takes its content with it.
        if (kind != EntryKind.Directory && entries.TryGetValue(path, out var old) && old.Kind == EntryKind.Directory)
            RemoveBelow(path, keepThisLayer: false);
        entries[path] = new BaseEntry(path, kind.Value, mode, uid, gid, linkTarget)
        {
            Size = size, Layer = Math.Max(layer, 0), Checksum = checksum == null ? null : checksum with { Path = path },
        };
        thisLayer.Add(path);
        if (content != null) contents[path] = content; else contents.Remove(path);
    }

    public BaseEntry? Get(string path) => entries.GetValueOrDefault(path);

    /// <summary>The kept content of a <see cref="KeptContent"/> file, or null.</summary>
    public byte[]? Content(string path) => contents.GetValueOrDefault(path);

    /// <summary>
    /// Where <paramref name="path"/> leads in the base, following its symbolic links as the kernel would (absolute
    /// targets from the image root, at most 40 links); the final component is followed too unless
    /// <paramref name="followLast"/> is false. Null when it does not exist.
    /// </summary>
    public BaseEntry? Resolve(string path, bool followLast = true)
    {
        var walk = Walk(path, followLast);
        return walk.Broken ? null : walk.Entry;
    }

    /// <summary>
    /// Null when <paramref name="path"/> leads to a file (through any links); else why not, naming the link that
    /// dangles or loops: "the link /lib -> /nowhere leads to /nowhere/ld.so, which does not exist".
    /// </summary>
    public string? WhyNoFile(string path)
    {
        var walk = Walk(path, followLast: true);
        var via = walk.LastLink == null ? "" : $"the link {walk.LastLink} leads to ";
        if (walk.Broken)
            return walk.Entry == null ? $"the links on its way loop (last followed: {walk.LastLink})" : $"{via}{walk.Path}, and {walk.Entry.Path} is not a folder";
        return walk.Entry switch
        {
            { Kind: EntryKind.File } => null,
            null => $"{via}{walk.Path}, which does not exist",
            _ => $"{via}{walk.Path}, which is a folder",
        };
    }

    /// <summary>
    /// This file list with <paramref name="upper"/> applied on top as one more layer: the image as it will run. As the
    /// layer writer repeats every folder above its entries, those are folders afterwards, whatever the base had there.
    /// </summary>
    public BaseFileSystem With(IEnumerable<RootfsEntry> upper)
    {
        var merged = new BaseFileSystem();
        foreach (var (path, entry) in entries) merged.entries[path] = entry;
        merged.BeginLayer();
        foreach (var e in upper)
        {
            for (var slash = e.Path.IndexOf('/', 1); slash > 0; slash = e.Path.IndexOf('/', slash + 1))
                if (merged.Get(e.Path[..slash]) is not { Kind: EntryKind.Directory })
                    merged.Apply(e.Path[..slash], EntryKind.Directory, 0b111_101_101, 0, 0, null);
            merged.Apply(e.Path, e.Kind, e.Mode, e.Uid, e.Gid, e.LinkTarget);
        }
        return merged;
    }

    /// <summary>
    /// The path <paramref name="path"/> really names in the base: its folders resolved through the base's links
    /// (the last component as it is). "/lib/x.so" is "/usr/lib/x.so" in a base where /lib -> usr/lib.
    /// </summary>
    public string RealParentPath(string path)
    {
        var slash = path.LastIndexOf('/');
        if (slash <= 0) return path;
        var dir = Walk(path[..slash], followLast: true);
        return dir.Broken || dir.Entry is { Kind: not EntryKind.Directory } ? path : dir.Path + path[slash..];
    }

    /// <summary>
    /// Follows <paramref name="path"/> through the base. A folder with no entry of its own, only implied by what is
    /// below it, is a folder all the same; a missing component ends nothing: the rest is taken as it is.
    /// </summary>
    private (string Path, BaseEntry? Entry, bool Broken, string? LastLink) Walk(string path, bool followLast)
    {
        var parts = new Queue<string>(path.Split('/', StringSplitOptions.RemoveEmptyEntries));
        var current = new List<string>();
        BaseEntry? entry = null;
        string? lastLink = null;
        for (var hops = 0; parts.Count > 0;)
        {
            var part = parts.Dequeue();
            if (part == ".") continue;
            if (part == "..")
            {
                if (current.Count > 0) current.RemoveAt(current.Count - 1);
                entry = current.Count == 0 ? null : entries.GetValueOrDefault("/" + string.Join('/', current));
                continue;
            }
            current.Add(part);
            entry = entries.GetValueOrDefault("/" + string.Join('/', current));
            if (entry?.Kind == EntryKind.Symlink && (parts.Count > 0 || followLast))
            {
                lastLink = entry.Path + " -> " + entry.LinkTarget;
                if (++hops > 40) return (path, null, true, lastLink);
                current.RemoveAt(current.Count - 1);
                if (entry.LinkTarget!.StartsWith('/')) current.Clear();
                parts = new Queue<string>(entry.LinkTarget.Split('/', StringSplitOptions.RemoveEmptyEntries).Concat(parts));
                entry = null;
            }
            else if (entry != null && entry.Kind != EntryKind.Directory && parts.Count > 0)
            {
                return ("/" + string.Join('/', current), entry, true, lastLink);
            }
        }
        return ("/" + string.Join('/', current), entry, false, lastLink);
    }

    private void RemoveBelow(string dir, bool keepThisLayer)
    {
        var prefix = dir == "/" ? "/" : dir + "/";
        foreach (var p in entries.Keys.Where(p => p.StartsWith(prefix, StringComparison.Ordinal)).ToList())
        {
            if (keepThisLayer && thisLayer.Contains(p)) continue;
            entries.Remove(p);
            contents.Remove(p);
        }
    }

    /// <summary>"./usr/lib/" → "/usr/lib"; null for the root itself or a name that climbs out.</summary>
    internal static string? Clean(string tarName)
    {
        var parts = new List<string>();
        foreach (var part in tarName.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".") continue;
            if (part == "..") return null;
            parts.Add(part);
        }
        return parts.Count == 0 ? null : "/" + string.Join('/', parts);
    }
}
