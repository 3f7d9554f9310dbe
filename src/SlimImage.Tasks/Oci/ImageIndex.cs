namespace SlimImage.Oci;

/// <summary>One image of an index: its manifest and the platform it runs on (image-spec image-index.md "platform").</summary>
/// <param name="Manifest">The manifest's descriptor: media type, digest, size.</param>
/// <param name="Os">e.g. <c>linux</c>.</param>
/// <param name="Architecture">GOARCH spelling: <c>amd64</c>, <c>arm64</c>, <c>arm</c>, <c>386</c>.</param>
/// <param name="Variant">e.g. <c>v8</c> for arm64, <c>v7</c> for arm; null when none.</param>
public sealed record IndexEntry(Descriptor Manifest, string Os, string Architecture, string? Variant)
{
    /// <summary><c>linux/arm64/v8</c>: what docker, skopeo and buildx call a platform.</summary>
    public string Platform => $"{Os}/{Architecture}" + (Variant != null ? "/" + Variant : "");
}

/// <summary>
/// An image index (OCI) or manifest list (Docker), as go-containerregistry's <c>mutate.AppendManifests</c> writes one:
/// the images in the order given, each with its platform, nothing else, so the same images give the same bytes.
/// </summary>
public static class ImageIndex
{
    /// <summary>Docker's manifest list, for images of Docker media types (an OCI index may list them too, but a
    /// Docker-only registry or engine takes only this).</summary>
    public const string DockerList = "application/vnd.docker.distribution.manifest.list.v2+json";

    /// <summary>The media type of an index over <paramref name="entries"/>: Docker's list when every image is a Docker
    /// manifest, else OCI's index.</summary>
    public static string MediaTypeFor(IReadOnlyList<IndexEntry> entries) =>
        entries.Count > 0 && entries.All(e => e.Manifest.MediaType == ImageFormat.Docker.ManifestMediaType) ? DockerList : MediaTypes.Index;

    /// <summary>The index bytes; <see cref="MediaTypeFor"/> decides the media type.</summary>
    public static byte[] Write(IReadOnlyList<IndexEntry> entries) => OciJson.Write(w =>
    {
        w.WriteStartObject();
        w.WriteNumber("schemaVersion", 2);
        w.WriteString("mediaType", MediaTypeFor(entries));
        w.WriteStartArray("manifests");
        foreach (var e in entries)
        {
            w.WriteStartObject();
            w.WriteString("mediaType", e.Manifest.MediaType);
            w.WriteString("digest", e.Manifest.Digest.ToString());
            w.WriteNumber("size", e.Manifest.Size);
            w.WriteStartObject("platform");
            w.WriteString("architecture", e.Architecture);
            w.WriteString("os", e.Os);
            if (e.Variant != null) w.WriteString("variant", e.Variant);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    });
}

/// <summary>A built image and the platform it is for: one entry of a multi-platform image.</summary>
/// <param name="Image">Config, manifest and layers.</param>
/// <param name="RuntimeIdentifier">What it was built for, e.g. <c>linux-arm64</c>.</param>
/// <param name="Os"><c>linux</c>.</param>
/// <param name="Architecture">GOARCH spelling, as in the config.</param>
/// <param name="Variant">e.g. <c>v8</c>; null when none.</param>
public sealed record PlatformImage(BuiltImage Image, string RuntimeIdentifier, string Os, string Architecture, string? Variant)
{
    /// <summary>Its entry in an index.</summary>
    public IndexEntry Entry => new(Image.Manifest, Os, Architecture, Variant);
}
