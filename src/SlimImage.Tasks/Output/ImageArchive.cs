using SlimImage.FileSystem;
using SlimImage.Tar;
using SlimImage.Diagnostics;
using SlimImage.Layers;
using SlimImage.Oci;
using SlimImage.Entries;

namespace SlimImage.Output;

/// <summary>What <see cref="ImageArchive.Write"/> produced.</summary>
/// <param name="Path">Full path of the archive.</param>
/// <param name="ManifestDigest">The image's identity: what a registry would call it after a push by digest.</param>
/// <param name="CompressedSize">Sum of the layer blobs as stored (what a pull downloads).</param>
/// <param name="UncompressedSize">Sum of the layer tars (about what the image takes unpacked).</param>
/// <param name="LayerCount">Number of layers.</param>
/// <param name="ArchiveSize">Bytes of the archive file.</param>
/// <param name="ArchiveDigest">sha256 of the archive file, taken while it was written: what the up-to-date check of the
/// next build compares the file with.</param>
/// <param name="Identity">The file's identity right after the rename (<see cref="FileSystem.FileIdentity"/>), null when
/// it cannot be known or another build renamed its own archive over this one meanwhile.</param>
public sealed record ArchiveResult(string Path, Digest ManifestDigest, long CompressedSize, long UncompressedSize, int LayerCount,
    long ArchiveSize, Digest ArchiveDigest, string? Identity);

/// <summary>
/// Writes an image as one tar that is both an OCI image layout (image-spec image-layout.md) and a docker-archive
/// (<c>manifest.json</c>), as <c>docker save</c> does since Engine 25: the classic <c>docker load</c> needs
/// manifest.json, containerd and <c>skopeo oci-archive:</c> read the index, <c>podman load</c> tries both.
/// </summary>
public static class ImageArchive
{
    internal const int FileMode = 0x1A4; // 0644

    /// <summary>
    /// Writes <paramref name="image"/> to <paramref name="path"/>, tagged <c>repository:tag</c> for each tag, with
    /// every tar mtime = <paramref name="timestamp"/>. The archive appears whole or not at all: it is written to
    /// <c>.{name}.{pid}-{random}.tmp</c> (<see cref="TempPrefix"/>, <see cref="FileSystem.TempFiles"/>) beside the target and
    /// renamed over it; any failure or cancellation deletes that file, and the next build removes one a killed build left.
    /// Throws <see cref="SlimException"/> SLIM1016 when the folder cannot be written, SLIM3001/SLIM3008 for a missing
    /// or changed layer blob.
    /// </summary>
    public static ArchiveResult Write(string path, BuiltImage image, string repository, IReadOnlyList<string> tags,
        DateTimeOffset timestamp, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(image);
        ArgumentException.ThrowIfNullOrEmpty(repository);
        ArgumentNullException.ThrowIfNull(tags);
        if (tags.Any(string.IsNullOrEmpty)) throw new ArgumentException("A tag is empty.", nameof(tags));

        var (target, digest, identity) = WriteEntries(path, Entries(image, repository, tags.Distinct(StringComparer.Ordinal).ToList()), timestamp, ct);
        return new ArchiveResult(target, image.Manifest.Digest, image.CompressedSize, image.UncompressedSize,
            image.Layers.Count, new FileInfo(target).Length, digest, identity);
    }

    /// <summary>
    /// Writes <paramref name="entries"/> as one tar at <paramref name="path"/>, every mtime <paramref name="timestamp"/>,
    /// through a temp file renamed over the target (see <see cref="Write"/>). Returns the full path, the file's sha256 and
    /// its identity right after the rename (null when unknown).
    /// </summary>
    internal static (string Path, Digest Digest, string? Identity) WriteEntries(string path, IEnumerable<RootfsEntry> entries,
        DateTimeOffset timestamp, CancellationToken ct)
    {
        var mtime = TarEntryWriter.ToTarTime(timestamp);
        var plan = TarPlan.Build(entries);
        var target = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(target)!;
        var temp = Path.Combine(folder, TempPrefix(target) + FileSystem.TempFiles.Owner() + TempSuffix);
        Digest digest;
        string? identity;
        try
        {
            Directory.CreateDirectory(folder);
            // FileShare.None is also the advisory lock that tells another build's sweep this file is being written.
            using (var file = new FileStream(temp, System.IO.FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0))
            using (var hashed = new HashingStream(file, leaveOpen: true))
            {
                var tar = new TarEntryWriter(hashed, mtime);
                TarPlan.Write(tar, plan, ct);
                tar.Finish();
                digest = hashed.Digest;
            }
            ct.ThrowIfCancellationRequested();
            var written = FileSystem.FileIdentity.Of(temp);
            File.Move(temp, target, overwrite: true);
            // Taken after the rename (which may change the ctime), and only trusted if it is still this inode.
            identity = FileSystem.FileIdentity.Of(target);
            if (written == null || identity == null || written[..written.IndexOf(' ')] != identity[..identity.IndexOf(' ')])
                identity = null;
        }
        catch (Exception e)
        {
            TempFiles.TryDelete(temp);
            if (e is IOException or UnauthorizedAccessException)
                throw new SlimException(e, "SLIM1016", target, e.Message);
            throw;
        }
        return (target, digest, identity);
    }

    /// <summary>The start of the temp file names of the archive <paramref name="path"/>: <c>.{name}.</c></summary>
    public static string TempPrefix(string path) => "." + Path.GetFileName(path) + ".";

    /// <summary>The end of the temp file names of an archive.</summary>
    public const string TempSuffix = ".tmp";

    private static IEnumerable<RootfsEntry> Entries(BuiltImage image, string repository, IReadOnlyList<string> tags)
    {
        var manifest = image.Manifest;
        var config = image.Config;
        yield return Generated("/oci-layout", """{"imageLayoutVersion":"1.0.0"}"""u8.ToArray());
        yield return Generated("/index.json", IndexJson(manifest, repository, tags, image.Referrers));
        yield return Generated("/manifest.json", DockerManifestJson(image, repository, tags));
        yield return Generated(BlobPath(config.Digest), image.ConfigBytes.ToArray());
        yield return Generated(BlobPath(manifest.Digest), image.ManifestBytes.ToArray());
        // Two layers with the same content are one blob (image-layout.md: blobs are content-addressed).
        foreach (var layer in image.Layers.DistinctBy(l => l.Digest.ToString()))
        {
            CheckBlob(layer);
            yield return RootfsEntry.HostFile(BlobPath(layer.Digest), layer.BlobPath, FileMode, EntryOrigin.System) with { Reason = "layer blob" };
        }
        var written = new HashSet<Digest>();
        foreach (var entry in image.Referrers.SelectMany(r => ReferrerBlobs(r, written))) yield return entry;
    }

    /// <summary>The blobs of a referrer (its manifest, its content, the empty config) not in <paramref name="written"/> yet.</summary>
    internal static IEnumerable<RootfsEntry> ReferrerBlobs(Referrer referrer, ISet<Digest> written)
    {
        if (written.Add(referrer.Manifest.Digest)) yield return Generated(BlobPath(referrer.Manifest.Digest), referrer.ManifestBytes.ToArray());
        if (written.Add(referrer.BlobDescriptor.Digest)) yield return Generated(BlobPath(referrer.BlobDescriptor.Digest), referrer.Blob.ToArray());
        if (written.Add(Referrer.EmptyConfig.Digest)) yield return Generated(BlobPath(Referrer.EmptyConfig.Digest), Referrer.EmptyJson.ToArray());
    }

    internal static void CheckBlob(LayerBlob layer)
    {
        long length;
        try { length = new FileInfo(layer.BlobPath).Length; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SlimException(e, "SLIM3001", layer.BlobPath, e.Message);
        }
        if (length != layer.Size) throw new SlimException("SLIM3008", layer.BlobPath, length, layer.Size);
    }

    internal static RootfsEntry Generated(string path, byte[] content) => RootfsEntry.Generated(path, content, FileMode);

    internal static string BlobPath(Digest digest) => $"/blobs/{digest.Algorithm}/{digest.Hex}";

    /// <summary>
    /// index.json: one descriptor per tag, all pointing at the same manifest (what docker save writes), then each
    /// referrer (the SBOM) untagged with its artifactType, as oras lays out referrers; its manifest's subject says whose it is.
    /// </summary>
    private static byte[] IndexJson(Descriptor manifest, string repository, IReadOnlyList<string> tags, IReadOnlyList<Referrer> referrers) => OciJson.Write(w =>
    {
        w.WriteStartObject();
        w.WriteNumber("schemaVersion", 2);
        w.WriteString("mediaType", MediaTypes.Index);
        w.WriteStartArray("manifests");
        if (tags.Count == 0) OciJson.WriteDescriptor(w, manifest);
        foreach (var tag in tags)
        {
            OciJson.WriteDescriptor(w, manifest, new Dictionary<string, string>
            {
                // containerd's importer names the image from this one; image-layout.md's ref.name holds the tag.
                ["io.containerd.image.name"] = repository + ":" + tag,
                ["org.opencontainers.image.ref.name"] = tag,
            });
        }
        foreach (var referrer in referrers) referrer.WriteIndexEntry(w);
        w.WriteEndArray();
        w.WriteEndObject();
    });

    /// <summary>manifest.json of docker-archive: paths relative to the archive root, RepoTags "repository:tag".</summary>
    private static byte[] DockerManifestJson(BuiltImage image, string repository, IReadOnlyList<string> tags) => OciJson.Write(w =>
    {
        w.WriteStartArray();
        w.WriteStartObject();
        w.WriteString("Config", BlobPath(image.Config.Digest)[1..]);
        OciJson.WriteStrings(w, "RepoTags", tags.Select(t => repository + ":" + t));
        OciJson.WriteStrings(w, "Layers", image.Layers.Select(l => BlobPath(l.Digest)[1..]));
        w.WriteEndObject();
        w.WriteEndArray();
    });
}
