using SlimImage.Diagnostics;

namespace SlimImage.Oci;

/// <summary>
/// The media type family of the manifest, config and layer descriptors (<c>SlimImageImageFormat</c>, default
/// <c>$(ContainerImageFormat)</c>): OCI (image-spec <c>media-types.md</c>) or Docker image manifest v2 schema 2
/// (distribution/distribution <c>docs/spec/manifest-v2-2.md</c>). Parsed once at the edge; everything after it asks
/// this value for a media type instead of comparing strings. Inside the pipeline layers keep their OCI type (the
/// layer cache and the base readers speak OCI); only the descriptors written into the manifest are this format's.
/// </summary>
public sealed class ImageFormat
{
    /// <summary>OCI media types: the default, and what every image SlimImage wrote before this setting had.</summary>
    public static readonly ImageFormat Oci = new("OCI", MediaTypes.Manifest, MediaTypes.Config,
        MediaTypes.Layer, MediaTypes.LayerGzip, MediaTypes.LayerZstd);

    /// <summary>Docker v2 schema 2. It has no zstd layer type (moby reads OCI <c>tar+zstd</c> only in OCI manifests).</summary>
    public static readonly ImageFormat Docker = new("Docker", DockerManifest, DockerConfig, DockerLayer, DockerLayerGzip, zstd: null);

    public const string DockerManifest = MediaTypes.DockerManifest;
    public const string DockerConfig = "application/vnd.docker.container.image.v1+json";
    public const string DockerLayer = "application/vnd.docker.image.rootfs.diff.tar";
    public const string DockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    /// <summary>Not in Docker's schema 2, but what containerd and moby write for a zstd layer in a Docker manifest.</summary>
    public const string DockerLayerZstd = "application/vnd.docker.image.rootfs.diff.tar.zstd";

    private readonly string _layer;
    private readonly string _layerGzip;
    private readonly string? _layerZstd;

    private ImageFormat(string name, string manifest, string config, string layer, string layerGzip, string? zstd)
    {
        Name = name;
        ManifestMediaType = manifest;
        ConfigMediaType = config;
        _layer = layer;
        _layerGzip = layerGzip;
        _layerZstd = zstd;
    }

    /// <summary><c>OCI</c> or <c>Docker</c>, as the SDK spells <c>ContainerImageFormat</c>.</summary>
    public string Name { get; }

    /// <summary>The manifest's own media type (its <c>mediaType</c> field, the Content-Type of a push).</summary>
    public string ManifestMediaType { get; }

    /// <summary>The media type of the config descriptor.</summary>
    public string ConfigMediaType { get; }

    /// <summary>Whether this format has a media type for layers compressed so.</summary>
    public bool Supports(CompressionFormat compression) => compression != CompressionFormat.Zstd || _layerZstd != null;

    /// <summary>
    /// The media type in this format of a layer whose OCI media type is <paramref name="ociLayerType"/> (what
    /// <see cref="LayerBlob.MediaType"/> holds): the same compression, so the blob's bytes and digest stay as they are.
    /// </summary>
    public string LayerMediaType(string ociLayerType) => ociLayerType switch
    {
        MediaTypes.Layer => _layer,
        MediaTypes.LayerGzip => _layerGzip,
        MediaTypes.LayerZstd => _layerZstd ?? throw new InvalidOperationException(
            $"The {Name} image format has no zstd layer media type; the request should have been refused."),
        _ => throw new ArgumentException($"'{ociLayerType}' is not an OCI layer media type.", nameof(ociLayerType)),
    };

    /// <summary>The descriptor of <paramref name="layer"/> as this format's manifest lists it.</summary>
    public Descriptor LayerDescriptor(LayerBlob layer) => layer.Descriptor with { MediaType = LayerMediaType(layer.MediaType) };

    /// <summary>
    /// <paramref name="value"/>: <c>OCI</c> (or empty) or <c>Docker</c>, any case. <paramref name="property"/> is the
    /// property the value came from, named by SLIM1058.
    /// </summary>
    public static ImageFormat Parse(string? value, string property)
    {
        var text = value?.Trim() ?? "";
        if (text.Length == 0 || text.Equals(Oci.Name, StringComparison.OrdinalIgnoreCase)) return Oci;
        if (text.Equals(Docker.Name, StringComparison.OrdinalIgnoreCase)) return Docker;
        throw new SlimException("SLIM1058", property, text);
    }

    public override string ToString() => Name;
}
