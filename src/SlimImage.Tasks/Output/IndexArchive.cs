using SlimImage.Diagnostics;
using SlimImage.Oci;
using SlimImage.Entries;

namespace SlimImage.Output;

/// <summary>What <see cref="IndexArchive.Write"/> produced.</summary>
/// <param name="Path">Full path of the archive.</param>
/// <param name="Index">The image index (its digest is what a registry calls the multi-platform image).</param>
/// <param name="DockerImage">The platform whose image <c>manifest.json</c> names (the build machine's when it is one).</param>
/// <param name="ArchiveSize">Bytes of the archive file.</param>
/// <param name="ArchiveDigest">sha256 of the archive file.</param>
/// <param name="Identity">The file's identity right after the rename, null when unknown.</param>
public sealed record IndexArchiveResult(string Path, Descriptor Index, PlatformImage DockerImage, long ArchiveSize, Digest ArchiveDigest, string? Identity);

/// <summary>
/// A multi-platform image as one tar, laid out as <c>docker save</c> writes one from containerd's store: an OCI image
/// layout whose <c>index.json</c> names, once per tag, the image index blob, which lists one manifest per platform (os,
/// architecture, variant); every blob once, so a layer that is the same on every platform is stored once. A
/// <c>manifest.json</c> names one image, for the clients that read only that (the classic <c>docker load</c>).
/// </summary>
public static class IndexArchive
{
    /// <summary>
    /// Writes <paramref name="images"/> to <paramref name="path"/> (whole or not at all, as <see cref="ImageArchive.Write"/>);
    /// <paramref name="dockerImage"/> is the one <c>manifest.json</c> names.
    /// </summary>
    public static IndexArchiveResult Write(string path, IReadOnlyList<PlatformImage> images, PlatformImage dockerImage, string repository,
        IReadOnlyList<string> tags, DateTimeOffset timestamp, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfZero(images.Count);
        var entries = images.Select(i => i.Entry).ToList();
        var indexBytes = ImageIndex.Write(entries);
        var index = Descriptor.Of(ImageIndex.MediaTypeFor(entries), indexBytes);
        var (target, digest, identity) = ImageArchive.WriteEntries(path,
            Entries(images, dockerImage, index, indexBytes, repository, tags.Distinct(StringComparer.Ordinal).ToList()), timestamp, ct);
        return new IndexArchiveResult(target, index, dockerImage, new FileInfo(target).Length, digest, identity);
    }

    private static IEnumerable<RootfsEntry> Entries(IReadOnlyList<PlatformImage> images, PlatformImage dockerImage, Descriptor index,
        byte[] indexBytes, string repository, IReadOnlyList<string> tags)
    {
        yield return ImageArchive.Generated("/oci-layout", """{"imageLayoutVersion":"1.0.0"}"""u8.ToArray());
        yield return ImageArchive.Generated("/index.json", LayoutIndex(index, repository, tags, images.SelectMany(i => i.Image.Referrers).ToList()));
        yield return ImageArchive.Generated("/manifest.json", DockerManifestJson(dockerImage.Image, repository, tags));
        yield return ImageArchive.Generated(ImageArchive.BlobPath(index.Digest), indexBytes);
        var written = new HashSet<Digest> { index.Digest };
        foreach (var platform in images)
        {
            var image = platform.Image;
            if (written.Add(image.Config.Digest)) yield return ImageArchive.Generated(ImageArchive.BlobPath(image.Config.Digest), image.ConfigBytes.ToArray());
            if (written.Add(image.Manifest.Digest)) yield return ImageArchive.Generated(ImageArchive.BlobPath(image.Manifest.Digest), image.ManifestBytes.ToArray());
            foreach (var layer in image.Layers.Where(l => written.Add(l.Digest)))
            {
                ImageArchive.CheckBlob(layer);
                yield return RootfsEntry.HostFile(ImageArchive.BlobPath(layer.Digest), layer.BlobPath, ImageArchive.FileMode, EntryOrigin.System) with { Reason = "layer blob" };
            }
        }
        foreach (var entry in images.SelectMany(i => i.Image.Referrers).SelectMany(r => ImageArchive.ReferrerBlobs(r, written))) yield return entry;
    }

    /// <summary>index.json: the image index once per tag, named as containerd's importer and image-layout.md read it, then each
    /// platform image's referrers (its SBOM) untagged, as a single image's archive lists them; their subject says whose they are.</summary>
    private static byte[] LayoutIndex(Descriptor index, string repository, IReadOnlyList<string> tags, IReadOnlyList<Referrer> referrers) => OciJson.Write(w =>
    {
        w.WriteStartObject();
        w.WriteNumber("schemaVersion", 2);
        w.WriteString("mediaType", MediaTypes.Index);
        w.WriteStartArray("manifests");
        foreach (var tag in tags)
            OciJson.WriteDescriptor(w, index, new Dictionary<string, string>
            {
                ["io.containerd.image.name"] = repository + ":" + tag,
                ["org.opencontainers.image.ref.name"] = tag,
            });
        foreach (var referrer in referrers.DistinctBy(r => r.Manifest.Digest)) referrer.WriteIndexEntry(w);
        w.WriteEndArray();
        w.WriteEndObject();
    });

    private static byte[] DockerManifestJson(BuiltImage image, string repository, IReadOnlyList<string> tags) => OciJson.Write(w =>
    {
        w.WriteStartArray();
        w.WriteStartObject();
        w.WriteString("Config", ImageArchive.BlobPath(image.Config.Digest)[1..]);
        OciJson.WriteStrings(w, "RepoTags", tags.Select(t => repository + ":" + t));
        OciJson.WriteStrings(w, "Layers", image.Layers.Select(l => ImageArchive.BlobPath(l.Digest)[1..]));
        w.WriteEndObject();
        w.WriteEndArray();
    });
}
