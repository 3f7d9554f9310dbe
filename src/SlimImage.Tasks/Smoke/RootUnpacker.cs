using System.Formats.Tar;
using System.IO.Compression;
using SlimImage.Diagnostics;
using SlimImage.Oci;

namespace SlimImage.Smoke;

/// <summary>What unpacking left out: entries a runtime would refuse or provide itself.</summary>
public sealed record UnpackResult(int Files, long Bytes, IReadOnlyList<string> Skipped);

/// <summary>
/// Unpacks an image's layers into a folder as a container runtime would (image-spec layer.md): bottom layer first,
/// later entries replacing earlier ones, <c>.wh.NAME</c> deleting NAME, <c>.wh..wh..opq</c> emptying its folder of
/// what lower layers put there. Every path goes through <see cref="RootFolder"/>, so no name (<c>../x</c>, absolute)
/// and no link (<c>/lib -> /</c>, <c>x -> ../../..</c>) leads a write out of the folder. Devices and FIFOs are left
/// out: the run gets its own /dev. Owners are set when the build runs as root (the app runs as the image's user and
/// must find its home and /tmp writable as in a container).
/// </summary>
public static class RootUnpacker
{
    private const string Whiteout = ".wh.";
    private const string Opaque = ".wh..wh..opq";

    public static UnpackResult Unpack(IReadOnlyList<LayerBlob> layers, string folder, CancellationToken ct)
    {
        Directory.CreateDirectory(folder);
        var root = new RootFolder(folder);
        var asRoot = Native.GetEffectiveUserId() == 0;
        var skipped = new List<string>();
        var folders = new Dictionary<string, (UnixFileMode Mode, int Uid, int Gid)>(StringComparer.Ordinal);
        int files = 0;
        long bytes = 0;
        foreach (var layer in layers)
        {
            var thisLayer = new HashSet<string>(StringComparer.Ordinal);
            try
            {
                using var tar = Open(layer, ct);
                using var reader = new TarReader(tar);
                while (reader.GetNextEntry() is { } entry)
                {
                    ct.ThrowIfCancellationRequested();
                    var written = Apply(root, entry, thisLayer, folders, skipped);
                    if (written == null || entry.EntryType is TarEntryType.Directory or TarEntryType.SymbolicLink or TarEntryType.HardLink) continue;
                    files++;
                    bytes += entry.Length;
                }
            }
            catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException or ZstdSharp.ZstdException)
            {
                throw new SlimException(e, "SLIM5002", layer.Digest, e.Message);
            }
        }
        // Folder modes last: a read-only folder must still take the files below it.
        foreach (var (path, (mode, uid, gid)) in folders.OrderByDescending(f => f.Key.Length))
        {
            if (!Directory.Exists(path) || RootFolder.LinkTarget(path) != null) continue;
            if (asRoot) Native.LChown(path, uid, gid);
            File.SetUnixFileMode(path, mode);
        }
        return new UnpackResult(files, bytes, skipped);
    }

    /// <summary>Applies one entry; returns the host path written, or null when the entry wrote nothing.</summary>
    private static string? Apply(RootFolder root, TarEntry entry, HashSet<string> thisLayer,
        Dictionary<string, (UnixFileMode, int, int)> folders, List<string> skipped)
    {
        if (entry.EntryType is TarEntryType.GlobalExtendedAttributes) return null;
        var name = Clean(entry.Name);
        if (name == null)
        {
            if (entry.Name.Trim('/', '.').Length > 0) skipped.Add(entry.Name + " (leaves the image root)");
            return null;
        }
        var slash = name.LastIndexOf('/');
        var last = name[(slash + 1)..];
        var parent = root.Resolve(slash <= 0 ? "/" : name[..slash]);
        if (parent == null)
        {
            skipped.Add(name + " (its folder's links loop)");
            return null;
        }
        if (last == Opaque)
        {
            if (Directory.Exists(parent) && RootFolder.LinkTarget(parent) == null)
                foreach (var child in Directory.EnumerateFileSystemEntries(parent).Where(c => !thisLayer.Contains(c)).ToList())
                    RootFolder.Remove(child);
            return null;
        }
        if (last.StartsWith(Whiteout, StringComparison.Ordinal))
        {
            var gone = parent + "/" + last[Whiteout.Length..];
            if (RootFolder.Exists(gone)) RootFolder.Remove(gone);
            return null;
        }
        if (entry.EntryType is TarEntryType.CharacterDevice or TarEntryType.BlockDevice or TarEntryType.Fifo)
        {
            skipped.Add(name + " (a device or FIFO; the run gets its own /dev)");
            return null;
        }
        if (RootFolder.Exists(parent) && !Directory.Exists(parent))
        {
            skipped.Add(name + " (" + root.ImagePath(parent) + " is no folder)");
            return null;
        }
        Directory.CreateDirectory(parent);
        var target = parent + "/" + last;
        var isFolder = entry.EntryType == TarEntryType.Directory;
        if (RootFolder.Exists(target) && !(isFolder && Directory.Exists(target) && RootFolder.LinkTarget(target) == null))
            RootFolder.Remove(target);
        thisLayer.Add(target);
        switch (entry.EntryType)
        {
            case TarEntryType.Directory:
                Directory.CreateDirectory(target);
                folders[target] = (entry.Mode, entry.Uid, entry.Gid);
                return target;
            case TarEntryType.SymbolicLink:
                File.CreateSymbolicLink(target, entry.LinkName);
                SetOwner(target, entry);
                return target;
            case TarEntryType.HardLink:
                var linked = Clean(entry.LinkName) is { } to ? root.Resolve(to, followLast: false) : null;
                if (linked == null || !File.Exists(linked) || RootFolder.LinkTarget(linked) != null)
                {
                    skipped.Add(name + " (a hard link to " + entry.LinkName + ", which is no file of the image)");
                    return null;
                }
                if (Native.Link(linked, target) != 0) File.Copy(linked, target);
                return target;
            default:
                using (var file = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
                    entry.DataStream?.CopyTo(file);
                SetOwner(target, entry);
                File.SetUnixFileMode(target, entry.Mode);
                return target;
        }
    }

    private static void SetOwner(string path, TarEntry entry)
    {
        if (Native.GetEffectiveUserId() == 0) Native.LChown(path, entry.Uid, entry.Gid);
    }

    /// <summary>The layer's tar, never read past the size the image says it has.</summary>
    private static Stream Open(LayerBlob layer, CancellationToken ct)
    {
        Stream blob = File.OpenRead(layer.BlobPath);
        Stream data = layer.MediaType switch
        {
            MediaTypes.LayerGzip => new GZipStream(blob, CompressionMode.Decompress),
            MediaTypes.LayerZstd => new ZstdSharp.DecompressionStream(blob),
            _ => blob,
        };
        return new BoundedStream(data, layer.UncompressedSize, ct);
    }

    /// <summary>"./usr/lib/" → "/usr/lib"; absolute names are taken from the image root, as runtimes do; null for the
    /// root itself or a name that climbs out.</summary>
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

    /// <summary>Stops at the layer's known size (plus the tar's closing blocks) and checks for cancellation on every read.</summary>
    private sealed class BoundedStream(Stream inner, long limit, CancellationToken ct) : FileSystem.ReadOnlyStream
    {
        private long count;

        public override int Read(Span<byte> buffer)
        {
            ct.ThrowIfCancellationRequested();
            var room = limit - count;
            if (room <= 0) return 0;
            var n = inner.Read(room < buffer.Length ? buffer[..(int)room] : buffer);
            count += n;
            return n;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
