using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SlimImage.FileSystem;
using SlimImage.Tar;
using SlimImage.Oci;
using SlimImage.Entries;

namespace SlimImage.Layers;

/// <summary>
/// Layer blobs of earlier builds (under <c>obj/…/slimimage/layers/</c>), found again by a key computed without
/// compressing anything: what the tar would hold (every entry's name, kind, mode, owner, link target, and for a file
/// its bytes if generated, else its host path, size and mtime), how it would be compressed, and by which code. When
/// the key matches, the blob written then is the blob that would be written now, so it is used as it is.
/// </summary>
/// <remarks>
/// Nothing read back is trusted unverified. The blob is re-hashed against its digest. Its diff_id and uncompressed
/// size cannot be re-derived without decompressing it (about as slow as compressing it again), so the entry carries
/// a sha256 over all its fields and its key, written together with the blob's digest: an entry damaged on disk or
/// edited, cut short, copied from another entry or left by another version of SlimImage fails the check and its
/// layer is written again (SLIM3602). The threat is damage and stale data; the checksum is no MAC, so someone who
/// can write <c>obj/</c> can forge an entry — but such a user can as well change the publish output itself.
/// </remarks>
internal sealed class LayerCache(string directory)
{
    private const string Format = "slimimage-layer-cache 3";

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
        if (options.Compression.Format == CompressionFormat.Zstd) Add(ZstdVersion());
        Add(Invariant($"{options.Compression.Format} {options.Compression.Level} {options.Timestamp.ToUnixTimeSeconds()} {options.FileChecksums}"));
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

    /// <summary>
    /// The blob stored under <paramref name="key"/> (written with <paramref name="options"/>), if its entry is intact
    /// and the blob is still there with its digest. <paramref name="rejected"/> says why an entry that exists was not
    /// used.
    /// </summary>
    public LayerBlob? TryGet(string key, LayerOptions options, out string? rejected, out IReadOnlyList<FileChecksum> files)
    {
        rejected = null;
        files = [];
        var entryPath = EntryPath(key);
        try
        {
            if (!File.Exists(entryPath)) return null;
            var entry = Entry.FromJson(File.ReadAllBytes(entryPath));
            rejected = entry.Problem(key, options);
            if (rejected != null) return null;
            var blobPath = Path.Combine(Directory, entry.Blob);
            var info = new FileInfo(blobPath);
            if (!info.Exists || info.Length != entry.Size)
            {
                rejected = "its blob is missing or has another size";
                return null;
            }
            // Reading 30 MB back costs tens of milliseconds; a blob that no longer matches its name is rebuilt.
            using (var stream = new FileStream(blobPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan))
                if (Digest.Sha256(SHA256.HashData(stream)).ToString() != entry.Digest)
                {
                    rejected = "its blob no longer has the digest " + entry.Digest;
                    return null;
                }
            files = entry.Files;
            return new LayerBlob(Digest.Parse(entry.Digest), Digest.Parse(entry.DiffId), entry.Size, entry.UncompressedSize,
                entry.MediaType, blobPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            rejected = "it cannot be read (" + e.Message + ")";
            return null; // a damaged cache only costs the compression it would have saved
        }
        catch (Exception e) when (e is JsonException or FormatException or KeyNotFoundException or InvalidOperationException)
        {
            rejected = "it is not a layer cache entry of this SlimImage";
            return null;
        }
    }

    /// <summary>Records <paramref name="blob"/> (already in <see cref="Directory"/>) under <paramref name="key"/>, if it can.</summary>
    public void Put(string key, LayerBlob blob, IReadOnlyList<FileChecksum> files)
    {
        var entry = Entry.Sealed(key, blob.Digest.ToString(), blob.DiffId.ToString(), blob.Size, blob.UncompressedSize,
            blob.MediaType, Path.GetFileName(blob.BlobPath), files);
        // A temp name of the layer pattern, so that the next build removes it if this one is killed right now.
        var temp = Path.Combine(Directory, LayerWriter.TempPrefix + FileSystem.TempFiles.Owner() + LayerWriter.TempSuffix);
        try
        {
            File.WriteAllBytes(temp, entry.ToJson());
            File.Move(temp, EntryPath(key), overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TempFiles.TryDelete(temp); // the cache is an optimisation: without the entry, the next build compresses again
        }
    }

    /// <summary>Deletes every entry and blob but those of the last image, so the cache holds one image's layers.</summary>
    public void KeepOnly(IReadOnlyCollection<string> keys, IReadOnlyCollection<LayerBlob> blobs)
    {
        var keep = new HashSet<string>(keys.Select(k => Path.GetFileName(EntryPath(k))), StringComparer.Ordinal);
        keep.UnionWith(blobs.Select(b => Path.GetFileName(b.BlobPath)));
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "*", new EnumerationOptions { IgnoreInaccessible = true }))
            if (!keep.Contains(Path.GetFileName(file)))
                TempFiles.TryDelete(file);
    }

    internal string EntryPath(string key) => Path.Combine(Directory, key + ".json");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// One cached layer: its descriptor values, the blob file name, and <see cref="Check"/>. Written and read by hand:
    /// the serializer's generated code for a record is generic code the JIT compiles in every MSBuild process.
    /// </summary>
    internal sealed record Entry(string Digest, string DiffId, long Size, long UncompressedSize, string MediaType, string Blob, string Check)
    {
        /// <summary>The file checksums taken when the layer was written (empty when none were asked for).</summary>
        public IReadOnlyList<FileChecksum> Files { get; init; } = [];

        /// <summary>An entry for <paramref name="key"/> with its checksum.</summary>
        public static Entry Sealed(string key, string digest, string diffId, long size, long uncompressedSize, string mediaType, string blob,
            IReadOnlyList<FileChecksum>? files = null) =>
            new(digest, diffId, size, uncompressedSize, mediaType, blob, Checksum(key, digest, diffId, size, uncompressedSize, mediaType, blob, files ?? []))
            { Files = files ?? [] };

        /// <summary>sha256 over the entry's fields and its key, each on a line of its own (no field holds a line break;
        /// a file's path is followed by NUL, which no path holds).</summary>
        internal static string Checksum(string key, string digest, string diffId, long size, long uncompressedSize, string mediaType, string blob,
            IReadOnlyList<FileChecksum> files)
        {
            var text = new StringBuilder(Invariant($"{Format} entry\n{key}\n{digest}\n{diffId}\n{size}\n{uncompressedSize}\n{mediaType}\n{blob}\n"));
            foreach (var f in files) text.Append(f.Path).Append('\0').Append(f.Sha1).Append(' ').Append(f.Sha256).Append('\n');
            return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()))).ToLowerInvariant();
        }

        /// <summary>Why this entry cannot stand for a layer of <paramref name="key"/> written with <paramref name="options"/>; null when it can.</summary>
        public string? Problem(string key, LayerOptions options)
        {
            if (Check != Checksum(key, Digest, DiffId, Size, UncompressedSize, MediaType, Blob, Files))
                return "its checksum does not match its contents (the entry was damaged or changed)";
            // Only what the writer would have made: sha256 digests, a blob named after its digest, of this compression,
            // and a tar (whole 512-byte records) with at least its two end blocks.
            if (!IsSha256(Digest) || !IsSha256(DiffId) || MediaType != options.Compression.MediaType
                || Blob != $"sha256-{Digest["sha256:".Length..]}{options.Compression.FileExtension}"
                || Size <= 0 || UncompressedSize < 1024 || UncompressedSize % 512 != 0
                || (options.Compression.Format == CompressionFormat.None && (DiffId != Digest || UncompressedSize != Size)))
                return "its values are not those of a layer written with these settings";
            return null;
        }

        private static bool IsSha256(string digest) =>
            digest.Length == 71 && digest.StartsWith("sha256:", StringComparison.Ordinal)
            && digest.AsSpan(7).IndexOfAnyExcept("0123456789abcdef") < 0;

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
                json.WriteString(nameof(Check), Check);
                json.WriteStartArray(nameof(Files));
                foreach (var f in Files)
                {
                    json.WriteStartArray();
                    json.WriteStringValue(f.Path);
                    json.WriteStringValue(f.Sha1);
                    json.WriteStringValue(f.Sha256);
                    json.WriteEndArray();
                }
                json.WriteEndArray();
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
            var files = e.TryGetProperty(nameof(Files), out var list)
                ? list.EnumerateArray().Select(f => new FileChecksum(f[0].GetString()!, f[1].GetString()!, f[2].GetString()!)).ToList()
                : [];
            return new Entry(Text(nameof(Digest)), Text(nameof(DiffId)), e.GetProperty(nameof(Size)).GetInt64(),
                e.GetProperty(nameof(UncompressedSize)).GetInt64(), Text(nameof(MediaType)), Text(nameof(Blob)), Text(nameof(Check))) { Files = files };
        }
    }
}
