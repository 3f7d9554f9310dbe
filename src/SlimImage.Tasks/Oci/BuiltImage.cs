
namespace SlimImage.Oci;

/// <summary>
/// A finished image, as go-containerregistry's <c>v1.Image</c>: the exact config and manifest bytes, their
/// descriptors, and the layer blobs (still in their files). Writers (archive, registry) only copy these bytes.
/// </summary>
public sealed record BuiltImage(ReadOnlyMemory<byte> ConfigBytes, ReadOnlyMemory<byte> ManifestBytes, IReadOnlyList<LayerBlob> Layers)
{
    /// <summary>The media types the manifest was written with (<c>Image.ImageBuilder.Build</c>).</summary>
    public ImageFormat Format { get; init; } = ImageFormat.Oci;

    /// <summary>Artifacts whose subject is this image (its SBOM): written into the archive and pushed as referrers.</summary>
    public IReadOnlyList<Referrer> Referrers { get; init; } = [];

    /// <summary>The manifest's config descriptor.</summary>
    public Descriptor Config => Descriptor.Of(Format.ConfigMediaType, ConfigBytes.Span);

    /// <summary>The descriptor of the manifest: its digest is the image's identity ("image ID" of a registry); its
    /// media type is the Content-Type of a push and the one index.json names.</summary>
    public Descriptor Manifest => Descriptor.Of(Format.ManifestMediaType, ManifestBytes.Span);

    /// <summary>Sum of the compressed layer sizes.</summary>
    public long CompressedSize => Layers.Sum(l => l.Size);

    /// <summary>Sum of the uncompressed layer (tar) sizes.</summary>
    public long UncompressedSize => Layers.Sum(l => l.UncompressedSize);
}
