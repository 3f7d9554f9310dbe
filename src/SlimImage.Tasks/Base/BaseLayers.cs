using SlimImage.Tar;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using SlimImage.Diagnostics;
using SlimImage.FileSystem;
using SlimImage.Oci;
using SlimImage.Entries;

namespace SlimImage.Base;

/// <summary>A base image ready to build on: its layer blobs in the scratch folder, its file list, config and history.</summary>
/// <param name="Name">For messages and history, e.g. "busybox" or the archive path.</param>
/// <param name="Layers">Bottom first; each blob is the base's own bytes, never recompressed.</param>
/// <param name="History">The base's history: one entry per layer, plus its empty_layer entries.</param>
/// <param name="Config">The base's config (empty for scratch and busybox).</param>
/// <param name="Files">What the base's layers hold, merged.</param>
/// <param name="ClosureInputs">Host ELF files of the base whose libraries the image needs too (a dynamic busybox).</param>
public sealed record LoadedBase(string Name, IReadOnlyList<LayerBlob> Layers, IReadOnlyList<HistoryEntry> History,
    BaseConfig Config, BaseFileSystem Files, IReadOnlyList<string> ClosureInputs)
{
    public static LoadedBase Scratch => new("scratch", [], [], BaseConfig.Empty, BaseFileSystem.Empty, []);

    /// <summary>
    /// Entries SlimImage writes as the base's one layer (busybox), below the image's own: the pipeline writes it with
    /// the image's compression and layer cache, so <see cref="Layers"/> is empty then.
    /// </summary>
    public IReadOnlyList<RootfsEntry> OwnLayer { get; init; } = [];
    /// <summary>The digest of the base's config blob (its image ID), for the SBOM; null for scratch and busybox.</summary>
    public Digest? ConfigDigest { get; init; }

    /// <summary>The base image's manifest digest and reference, for the base.digest and base.name labels (see <see cref="BaseImage"/>).</summary>
    public Digest? ManifestDigest { get; init; }

    /// <inheritdoc cref="BaseImage.ImageName"/>
    public string? ImageName { get; init; }
}

/// <summary>
/// Fetches the layer blobs of a <see cref="BaseImage"/> into the scratch folder, byte for byte: each is checked
/// against its digest and size, decompressed once (gzip, zstd or none, as its media type says) to check its diff_id
/// against the config and to read its file list. Nothing is recompressed, so the final manifest names the base's
/// own digests and a registry that has the base already has those blobs.
/// </summary>
public static class BaseLayers
{
    /// <summary>
    /// Fetches and reads every layer. Each may expand to <paramref name="maxLayerSize"/> bytes (SLIM3521 beyond);
    /// entries that leave the image root go to <paramref name="report"/> as warnings (SLIM3522, SLIM3523).
    /// </summary>
    public static (IReadOnlyList<LayerBlob> Layers, BaseFileSystem Files) Extract(BaseImage image, string scratch, CancellationToken ct,
        long maxLayerSize = LayerLimit.Default, Action<SlimDiagnostic>? report = null, bool fileChecksums = false)
    {
        Directory.CreateDirectory(scratch);
        var files = new BaseFileSystem();
        var blobs = new List<LayerBlob>();
        foreach (var layer in image.Layers)
        {
            ct.ThrowIfCancellationRequested();
            var d = layer.Descriptor;
            // The digest was validated where it was parsed (hex only), so the name stays in the scratch folder; the
            // bytes go to a temporary name there and take the digest's name only once digest and diff_id matched.
            var path = Path.Combine(scratch, $"base-{d.Digest.Hex}{Extension(d.MediaType)}");
            var temp = $"{path}.{Guid.NewGuid().ToString("N")[..8]}.tmp";
            try
            {
                var (digest, size) = Copy(image, d.Digest, temp, ct);
                if (digest != d.Digest || (d.Size >= 0 && size != d.Size))
                    throw new SlimException("SLIM3503", image.Reference, d.Digest, $"has sha256 {digest.Hex} and {size} bytes, the manifest says {d.Size}");
                files.BeginLayer();
                var hostile = new HostileEntries(image.Reference, d.Digest);
                var (diffId, uncompressed) = ReadTar(image.Reference, temp, d, files, hostile, maxLayerSize, fileChecksums, ct);
                hostile.Report(report ?? (_ => { }));
                if (diffId != layer.DiffId)
                    throw new SlimException("SLIM3503", image.Reference, d.Digest, $"uncompresses to {diffId}, but the config's diff_id is {layer.DiffId}");
                Move(temp, path);
                blobs.Add(new LayerBlob(d.Digest, layer.DiffId, size, uncompressed, d.MediaType, path));
            }
            finally
            {
                TempFiles.TryDelete(temp);
            }
        }
        return (blobs, files);
    }

    private static void Move(string temp, string path)
    {
        try
        {
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SlimException(e, "SLIM3007", Path.GetDirectoryName(path), e.Message);
        }
    }

    private static (Digest, long) Copy(BaseImage image, Digest digest, string path, CancellationToken ct)
    {
        try
        {
            using var source = image.Blobs.Open(digest);
            using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[1 << 16];
            long size = 0;
            int n;
            while ((n = source.Read(buffer)) > 0)
            {
                ct.ThrowIfCancellationRequested();
                hash.AppendData(buffer, 0, n);
                file.Write(buffer, 0, n);
                size += n;
            }
            return (Digest.Sha256(hash.GetHashAndReset()), size);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
        {
            throw new SlimException(e, "SLIM3503", image.Reference, digest, "cannot be read: " + e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SlimException(e, "SLIM3007", Path.GetDirectoryName(path), e.Message);
        }
    }

    private static (Digest DiffId, long Size) ReadTar(string reference, string blobPath, Descriptor d, BaseFileSystem files,
        HostileEntries hostile, long maxLayerSize, bool fileChecksums, CancellationToken ct)
    {
        try
        {
            using var data = Decompress(File.OpenRead(blobPath), d.MediaType, maxLayerSize,
                () => new SlimException("SLIM3521", reference, d.Digest, LayerLimit.Describe(maxLayerSize)), ct);
            using var hashing = new HashingStream(data, leaveOpen: true);
            var guard = new TarHeaderGuard(new EndPaddingStream(hashing),
                (name, size) => new SlimException("SLIM3525", reference, d.Digest, name, size, TarHeaderGuard.MaxMetadata));
            using var hasher = fileChecksums ? new FileHasher() : null;
            using (var reader = new TarReader(guard, leaveOpen: true))
            {
                while (reader.GetNextEntry() is { } entry)
                {
                    ct.ThrowIfCancellationRequested();
                    hostile.Check(entry, files);
                    Apply(files, entry, hasher);
                }
            }
            // The end-of-archive blocks and any padding are part of the diff_id.
            hashing.CopyTo(Stream.Null);
            return (hashing.Digest, hashing.Count);
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException or ZstdSharp.ZstdException)
        {
            throw new SlimException(e, "SLIM3503", reference, d.Digest, $"is not a valid {d.MediaType} layer: {e.Message}");
        }
    }

    /// <summary>
    /// The uncompressed tar of a layer blob, as its media type says, read at most to <paramref name="limit"/> bytes
    /// and checking <paramref name="ct"/> on every read. Disposes <paramref name="blob"/>.
    /// </summary>
    internal static Stream Decompress(Stream blob, string mediaType, long limit, Func<Exception> tooLarge, CancellationToken ct) =>
        new LimitedReadStream(LayerCompression.OpenUncompressed(mediaType, blob), limit, tooLarge, ct);

    private static void Apply(BaseFileSystem files, TarEntry entry, FileHasher? hasher)
    {
        EntryKind? kind = entry.EntryType switch
        {
            TarEntryType.Directory => EntryKind.Directory,
            TarEntryType.SymbolicLink => EntryKind.Symlink,
            // A hard link, device or fifo occupies its path like a file does.
            TarEntryType.GlobalExtendedAttributes => null,
            _ => EntryKind.File,
        };
        byte[]? content = null;
        var path = BaseFileSystem.Clean(entry.Name);
        if (path != null && BaseFileSystem.KeptContent.Contains(path) && entry.DataStream != null && entry.Length <= BaseFileSystem.MaxKeptContent)
        {
            content = new byte[entry.Length];
            entry.DataStream.ReadExactly(content);
        }
        var regular = entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile;
        FileChecksum? checksum = null;
        if (hasher != null && path != null && regular)
        {
            if (content != null) hasher.Append(content);
            else if (entry.DataStream != null) hasher.Append(entry.DataStream);
            checksum = hasher.Finish(path);
        }
        // A hard link has its target's content (a target later replaced in this layer is not followed: rare, and then none).
        else if (hasher != null && path != null && entry.EntryType == TarEntryType.HardLink && BaseFileSystem.Clean(entry.LinkName) is { } target)
            checksum = files.Get(target)?.Checksum;
        files.Apply(entry.Name, kind, (int)entry.Mode, entry.Uid, entry.Gid,
            entry.EntryType == TarEntryType.SymbolicLink ? entry.LinkName : null, content,
            regular ? entry.Length : 0, checksum);
    }

    private static string Extension(string mediaType) =>
        LayerCompression.Of(LayerCompression.FormatOf(mediaType) ?? CompressionFormat.None).FileExtension;

    /// <summary>
    /// umoci (0.4) ends its layers right after the last file's data, without the padding to 512 bytes or the two zero
    /// blocks that close a tar; Go's tar reader, and so every runtime, takes that. This supplies those missing zeros
    /// to System.Formats.Tar, which would not, without changing what is hashed below it.
    /// </summary>
    private sealed class EndPaddingStream(Stream inner) : ReadOnlyStream
    {
        private int padding = -1;

        public override int Read(Span<byte> buffer)
        {
            if (padding < 0)
            {
                var n = inner.Read(buffer);
                if (n > 0 || buffer.Length == 0) return n;
                padding = 3 * 512;
            }
            var z = Math.Min(padding, buffer.Length);
            buffer[..z].Clear();
            padding -= z;
            return z;
        }
    }
}
