using SlimImage.Oci;
namespace SlimImage.Oci;

/// <summary>
/// An artifact that refers to an image (image-spec 1.1 "artifacts guidance"): a manifest whose <c>artifactType</c> says
/// what it is, whose config is the empty descriptor, whose one layer is the artifact's blob, and whose <c>subject</c> is
/// the image manifest. A registry lists it under the image's referrers; an archive's index.json lists it beside the image.
/// </summary>
/// <param name="ArtifactType">e.g. <c>application/spdx+json</c>.</param>
/// <param name="ManifestBytes">The exact manifest bytes.</param>
/// <param name="Blob">The artifact's content (an SBOM: a few hundred KB at most, so held in memory).</param>
/// <param name="BlobMediaType">The media type of the layer holding <paramref name="Blob"/>.</param>
/// <param name="Created">The manifest's <c>org.opencontainers.image.created</c> annotation.</param>
public sealed record Referrer(string ArtifactType, ReadOnlyMemory<byte> ManifestBytes, ReadOnlyMemory<byte> Blob, string BlobMediaType,
    DateTimeOffset Created)
{
    /// <summary>The manifest's descriptor (an OCI image manifest).</summary>
    public Descriptor Manifest => Descriptor.Of(MediaTypes.Manifest, ManifestBytes.Span);

    /// <summary>The layer's descriptor.</summary>
    public Descriptor BlobDescriptor => Descriptor.Of(BlobMediaType, Blob.Span);

    /// <summary>The empty config, <c>{}</c>.</summary>
    public static Descriptor EmptyConfig => Descriptor.Of(MediaTypes.Empty, EmptyJson.Span);

    /// <summary>The bytes of the empty descriptor's blob (image-spec manifest.md, "Guidance for an Empty Descriptor").</summary>
    public static ReadOnlyMemory<byte> EmptyJson => "{}"u8.ToArray();

    /// <summary>
    /// The artifact manifest for <paramref name="blob"/> referring to <paramref name="subject"/>, with the layer titled
    /// <paramref name="title"/> (<c>org.opencontainers.image.title</c>, the file name oras gives it on a pull) and
    /// <c>org.opencontainers.image.created</c> = <paramref name="created"/>, which the referrers fallback tag keeps.
    /// </summary>
    public static Referrer Create(string artifactType, byte[] blob, string blobMediaType, Descriptor subject, string title, DateTimeOffset created)
    {
        var layer = Descriptor.Of(blobMediaType, blob);
        var manifest = OciJson.Write(w =>
        {
            w.WriteStartObject();
            w.WriteNumber("schemaVersion", 2);
            w.WriteString("mediaType", MediaTypes.Manifest);
            w.WriteString("artifactType", artifactType);
            w.WritePropertyName("config");
            // image-spec: the empty descriptor's data field MAY be set; it is left out, as oras does.
            OciJson.WriteDescriptor(w, EmptyConfig);
            w.WriteStartArray("layers");
            OciJson.WriteDescriptor(w, layer, [KeyValuePair.Create("org.opencontainers.image.title", title)]);
            w.WriteEndArray();
            w.WritePropertyName("subject");
            OciJson.WriteDescriptor(w, subject);
            w.WriteStartObject("annotations");
            w.WriteString("org.opencontainers.image.created", OciJson.Rfc3339(created));
            w.WriteEndObject();
            w.WriteEndObject();
        });
        return new Referrer(artifactType, manifest, blob, blobMediaType, created);
    }

    /// <summary>This artifact's entry in an index (the referrers API's and the fallback tag's): its descriptor with
    /// <c>artifactType</c> and the manifest's annotations.</summary>
    public void WriteIndexEntry(System.Text.Json.Utf8JsonWriter w)
    {
        var d = Manifest;
        w.WriteStartObject();
        w.WriteString("mediaType", d.MediaType);
        w.WriteString("digest", d.Digest.ToString());
        w.WriteNumber("size", d.Size);
        w.WriteString("artifactType", ArtifactType);
        w.WriteStartObject("annotations");
        w.WriteString("org.opencontainers.image.created", OciJson.Rfc3339(Created));
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
