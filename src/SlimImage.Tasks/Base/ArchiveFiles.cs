using System.Formats.Tar;
using SlimImage.Diagnostics;
using SlimImage.FileSystem;
using SlimImage.Oci;

namespace SlimImage.Base;

/// <summary>
/// The table of contents of an image archive (a tar), read in one pass: every file's name and size, and the bytes
/// of the small JSON files (index, manifests, configs), which are all an archive reader needs before it knows which
/// layer blobs it wants. Layer blobs are read later, by name, with <see cref="Open"/>.
/// </summary>
internal sealed class ArchiveFiles
{
    // Manifests and configs are a few KB; a base whose config is bigger than this is not one anybody builds.
    private const int KeepJson = 4 << 20;

    private readonly Dictionary<string, long> sizes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, byte[]> json = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> links = new(StringComparer.Ordinal);

    private ArchiveFiles(string path) => Path = path;

    public string Path { get; }

    /// <summary>Reads the table of contents. Throws SLIM3500 when the file is no tar.</summary>
    public static ArchiveFiles Read(string path)
    {
        var files = new ArchiveFiles(path);
        try
        {
            using var stream = HostFile.OpenRead(path, "SlimImageBase", 1 << 16);
            using var reader = new TarReader(stream);
            while (reader.GetNextEntry() is { } entry)
            {
                var name = Normalize(entry.Name);
                switch (entry.EntryType)
                {
                    case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                        files.sizes[name] = entry.Length;
                        if (entry.Length <= KeepJson && entry.DataStream != null)
                        {
                            var head = new byte[entry.Length];
                            entry.DataStream.ReadExactly(head);
                            if (head.Length > 0 && head[0] is (byte)'{' or (byte)'[') files.json[name] = head;
                        }
                        break;
                    // docker save (before Engine 25) links a layer.tar it wrote already instead of writing it twice.
                    case TarEntryType.SymbolicLink:
                        files.links[name] = Normalize(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(name) ?? "", entry.LinkName));
                        break;
                    case TarEntryType.HardLink:
                        files.links[name] = Normalize(entry.LinkName);
                        break;
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException or ArgumentException)
        {
            throw new SlimException(e, "SLIM3500", path, "it is not a tar file (" + e.Message + ")");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SlimException(e, "SLIM3500", path, e.Message);
        }
        if (files.sizes.Count == 0)
            throw new SlimException("SLIM3500", path, "it holds no file");
        return files;
    }

    public bool Contains(string name) => sizes.ContainsKey(Resolve(name));

    public long SizeOf(string name) => sizes.TryGetValue(Resolve(name), out var size) ? size : -1;

    /// <summary>A small JSON file's bytes, or null when it is absent or not JSON.</summary>
    public byte[]? Json(string name) => json.GetValueOrDefault(Resolve(name));

    /// <summary>The JSON blob of a digest in an OCI layout, checked against its digest. Throws SLIM3503.</summary>
    public byte[] JsonBlob(Descriptor d) =>
        TryJsonBlob(d) ?? throw new SlimException("SLIM3503", Path, d.Digest, "is missing");

    /// <summary>As <see cref="JsonBlob"/>, but null when the archive lacks it.</summary>
    public byte[]? TryJsonBlob(Descriptor d)
    {
        var bytes = Json(BlobName(d.Digest));
        if (bytes == null) return null;
        if (Digest.Of(bytes) != d.Digest || (d.Size >= 0 && bytes.Length != d.Size))
            throw new SlimException("SLIM3503", Path, d.Digest, "does not match its digest or size");
        return bytes;
    }

    public static string BlobName(Digest d) => $"blobs/{d.Algorithm}/{d.Hex}";

    /// <summary>Opens a file of the archive for reading; the stream holds the archive open until disposed.</summary>
    public Stream Open(string name)
    {
        var wanted = Resolve(name);
        var file = HostFile.OpenRead(Path, "SlimImageBase", 1 << 16);
        try
        {
            var reader = new TarReader(file);
            while (reader.GetNextEntry() is { } entry)
                if (entry.DataStream != null && Normalize(entry.Name) == wanted)
                    return new OwningStream(entry.DataStream, reader, file);
        }
        catch
        {
            file.Dispose();
            throw;
        }
        file.Dispose();
        throw new SlimException("SLIM3503", Path, name, "is missing");
    }

    private string Resolve(string name)
    {
        name = Normalize(name);
        for (var hops = 0; hops < 8 && links.TryGetValue(name, out var target); hops++) name = target;
        return name;
    }

    private static string Normalize(string name)
    {
        var parts = new List<string>();
        foreach (var part in name.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".") continue;
            if (part == "..") { if (parts.Count > 0) parts.RemoveAt(parts.Count - 1); continue; }
            parts.Add(part);
        }
        return string.Join('/', parts);
    }

    /// <summary>A tar entry's data that also closes the reader and the file under it.</summary>
    private sealed class OwningStream(Stream data, TarReader reader, FileStream file) : ReadOnlyStream
    {
        public override int Read(Span<byte> buffer) => data.Read(buffer);
        public override long Length => data.Length;
        public override long Position { get => data.Position; set => throw new NotSupportedException(); }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                reader.Dispose();
                file.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}

/// <summary>The blobs of an image archive, found by digest through a table of digest → file name.</summary>
internal sealed class ArchiveBlobSource(ArchiveFiles files, IReadOnlyDictionary<Digest, string> names) : IBlobSource
{
    public Stream Open(Digest digest) =>
        files.Open(names.TryGetValue(digest, out var name) ? name : ArchiveFiles.BlobName(digest));

    public void Dispose() { }
}
