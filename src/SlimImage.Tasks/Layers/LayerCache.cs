using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SlimImage.Image;
using SlimImage.Rootfs;

namespace SlimImage.Layers;

/// <summary>
/// Layer blobs of earlier builds (under <c>obj/…/slimimage/layers/</c>), found again by a key computed without
/// compressing anything: what the tar would hold (every entry's name, kind, mode, owner, link target, and for a file
/// its bytes if generated, else its host path, size and mtime), how it would be compressed, and by which code. When
/// the key matches, the blob written then is the blob that would be written now, so it is used as it is.
/// </summary>
internal sealed class LayerCache(string directory)
{
    private const string Format = "slimimage-layer-cache 1";

    public string Directory { get; } = Path.GetFullPath(directory);

    /// <summary>The key of a planned layer (from <see cref="TarPlan.Build"/>) written with <paramref name="options"/>.</summary>
    public static string Key(IReadOnlyList<RootfsEntry> plan, LayerOptions options)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string text) => hash.AppendData(Encoding.UTF8.GetBytes(text + "\n"));
        Add(Format);
        // The writer's own code, and the compressor's: zlib's output changed between .NET 8 (zlib) and 9 (zlib-ng).
        Add(typeof(LayerCache).Assembly.ManifestModule.ModuleVersionId.ToString());
        Add(RuntimeInformation.FrameworkDescription);
        // Only where it matters: loading the zstd assembly just to read its version costs a gzip build milliseconds.
        if (options.Compression == LayerCompression.Zstd) Add(ZstdVersion());
        Add(Invariant($"{options.Compression} {options.EffectiveLevel} {options.Timestamp.ToUnixTimeSeconds()}"));
        foreach (var e in plan)
        {
            Add(Invariant($"{(int)e.Kind} {e.Mode} {e.Uid} {e.Gid} {e.Path}\0{e.LinkTarget}"));
            if (e.Content != null)
                Add("content " + Convert.ToHexString(SHA256.HashData(e.Content)));
            else if (e.SourcePath != null)
            {
                var info = new FileInfo(e.SourcePath);
                // A missing file gets a key of its own; writing the layer then reports it (SLIM3001).
                Add(info.Exists
                    ? Invariant($"file {info.FullName}\0{info.Length} {info.LastWriteTimeUtc.Ticks}")
                    : "missing " + info.FullName);
            }
        }
        return Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static string ZstdVersion() => typeof(ZstdSharp.Compressor).Assembly.GetName().Version?.ToString() ?? "";

    /// <summary>The blob stored under <paramref name="key"/>, if it is still there and still has its digest.</summary>
    public LayerBlob? TryGet(string key)
    {
        var entryPath = EntryPath(key);
        try
        {
            if (!File.Exists(entryPath)) return null;
            var entry = Entry.FromJson(File.ReadAllBytes(entryPath));
            // The entry names a file of this folder, as Put wrote it; anything else (a path, "..") is not one.
            if (entry.Blob.Length == 0 || entry.Blob != Path.GetFileName(entry.Blob) || entry.Blob is "." or "..") return null;
            var blobPath = Path.Combine(Directory, entry.Blob);
            var info = new FileInfo(blobPath);
            if (!info.Exists || info.Length != entry.Size) return null;
            // Reading 30 MB back costs tens of milliseconds; a blob that no longer matches its name is rebuilt.
            using (var stream = new FileStream(blobPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan))
                if (Digest.Sha256(SHA256.HashData(stream)).ToString() != entry.Digest) return null;
            return new LayerBlob(Digest.Parse(entry.Digest), Digest.Parse(entry.DiffId), entry.Size, entry.UncompressedSize,
                entry.MediaType, blobPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or FormatException
                                       or KeyNotFoundException or InvalidOperationException)
        {
            return null; // a damaged cache only costs the compression it would have saved
        }
    }

    /// <summary>Records <paramref name="blob"/> (already in <see cref="Directory"/>) under <paramref name="key"/>, if it can.</summary>
    public void Put(string key, LayerBlob blob)
    {
        var entry = new Entry(blob.Digest.ToString(), blob.DiffId.ToString(), blob.Size, blob.UncompressedSize, blob.MediaType,
            Path.GetFileName(blob.BlobPath));
        var temp = EntryPath(key) + ".tmp";
        try
        {
            File.WriteAllBytes(temp, entry.ToJson());
            File.Move(temp, EntryPath(key), overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LayerWriter.TryDelete(temp); // the cache is an optimisation: without the entry, the next build compresses again
        }
    }

    /// <summary>Deletes every entry and blob but those of the last image, so the cache holds one image's layers.</summary>
    public void KeepOnly(IReadOnlyCollection<string> keys, IReadOnlyCollection<LayerBlob> blobs)
    {
        var keep = new HashSet<string>(keys.Select(k => Path.GetFileName(EntryPath(k))), StringComparer.Ordinal);
        keep.UnionWith(blobs.Select(b => Path.GetFileName(b.BlobPath)));
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "*", new EnumerationOptions { IgnoreInaccessible = true }))
            if (!keep.Contains(Path.GetFileName(file)))
                LayerWriter.TryDelete(file);
    }

    private string EntryPath(string key) => Path.Combine(Directory, key + ".json");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// One cached layer: its descriptor values and the blob file name. Written and read by hand: the serializer's
    /// generated code for a record is generic code the JIT compiles in every MSBuild process, for six fields.
    /// </summary>
    internal sealed record Entry(string Digest, string DiffId, long Size, long UncompressedSize, string MediaType, string Blob)
    {
        public byte[] ToJson()
        {
            var buffer = new System.Buffers.ArrayBufferWriter<byte>(512);
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteString(nameof(Digest), Digest);
                json.WriteString(nameof(DiffId), DiffId);
                json.WriteNumber(nameof(Size), Size);
                json.WriteNumber(nameof(UncompressedSize), UncompressedSize);
                json.WriteString(nameof(MediaType), MediaType);
                json.WriteString(nameof(Blob), Blob);
                json.WriteEndObject();
            }
            return buffer.WrittenSpan.ToArray();
        }

        /// <summary>Throws JsonException, KeyNotFoundException or InvalidOperationException for an entry that is not one.</summary>
        public static Entry FromJson(byte[] bytes)
        {
            using var document = JsonDocument.Parse(bytes);
            var e = document.RootElement;
            string Text(string name) => e.GetProperty(name).GetString() ?? throw new InvalidOperationException(name + " is null");
            return new Entry(Text(nameof(Digest)), Text(nameof(DiffId)), e.GetProperty(nameof(Size)).GetInt64(),
                e.GetProperty(nameof(UncompressedSize)).GetInt64(), Text(nameof(MediaType)), Text(nameof(Blob)));
        }
    }
}
