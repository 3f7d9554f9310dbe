namespace SlimImage.Oci;

/// <summary>OCI media types, and the Docker ones SlimImage reads (opencontainers/image-spec <c>media-types.md</c>).</summary>
public static class MediaTypes
{
    public const string Index = "application/vnd.oci.image.index.v1+json";
    public const string Manifest = "application/vnd.oci.image.manifest.v1+json";
    public const string Config = "application/vnd.oci.image.config.v1+json";
    public const string Layer = "application/vnd.oci.image.layer.v1.tar";
    public const string LayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
    public const string LayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd";

    /// <summary>The empty descriptor's media type: the config of an artifact manifest (image-spec 1.1).</summary>
    public const string Empty = "application/vnd.oci.empty.v1+json";

    /// <summary>Docker's image manifest v2 schema 2 (distribution <c>docs/spec/manifest-v2-2.md</c>).</summary>
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";

    /// <summary>Docker's manifest list: its image index.</summary>
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
}
