using System.Text;
using System.Text.Json;
using SlimImage.Diagnostics;
using SlimImage.Image;
using SlimImage.Layers;
using SlimImage.Pipeline;
using Xunit;
using SlimImage.Oci;

namespace SlimImage.Tests.Image;

/// <summary>ContainerImageFormat / SlimImageImageFormat: the value read once, and the manifest it gives.</summary>
public class ImageFormatTests
{
    private static readonly LayerBlob[] Layers =
    [
        new(Digest.Of("plain"u8), Digest.Of("plain"u8), 10, 10, MediaTypes.Layer, "/nowhere/1"),
        new(Digest.Of("gz"u8), Digest.Of("tar"u8), 20, 40, MediaTypes.LayerGzip, "/nowhere/2"),
    ];

    private static ImageConfig Config => new() { Architecture = "amd64", Entrypoint = ["/app/hello"], Created = DateTimeOffset.UnixEpoch };

    [Theory]
    [InlineData(null, "OCI")]
    [InlineData("", "OCI")]
    [InlineData(" oci ", "OCI")]
    [InlineData("OCI", "OCI")]
    [InlineData("Docker", "Docker")]
    [InlineData("DOCKER", "Docker")]
    public void TheSdksSpellingsAreRead(string? value, string expected) =>
        Assert.Equal(expected, ImageFormat.Parse(value, "ContainerImageFormat").Name);

    [Theory]
    [InlineData("ContainerImageFormat")]
    [InlineData("SlimImageImageFormat")]
    public void AnUnknownValueIsSlim1058NamingThePropertyItCameFrom(string property)
    {
        var e = Assert.Throws<SlimException>(() => ImageFormatSettings.Parse("docker-v1", property, CompressionFormat.Gzip));
        Assert.Equal("SLIM1058", e.Code);
        Assert.StartsWith($"SLIM1058: {property} 'docker-v1' is not an image format", e.Message);
        Assert.Contains("OCI", e.Message);
        Assert.Contains("Docker", e.Message);
    }

    [Fact]
    public void DockerWithZstdIsSlim1059NamingBothProperties()
    {
        var e = Assert.Throws<SlimException>(() => ImageFormatSettings.Parse("docker", "ContainerImageFormat", CompressionFormat.Zstd));
        Assert.Equal("SLIM1059", e.Code);
        Assert.StartsWith("SLIM1059: ContainerImageFormat is Docker and SlimImageCompression is zstd", e.Message);
        Assert.Same(ImageFormat.Docker, ImageFormatSettings.Parse("docker", null, CompressionFormat.None));
        Assert.Same(ImageFormat.Oci, ImageFormatSettings.Parse("", null, CompressionFormat.Zstd));
    }

    [Fact]
    public void LayerTypesMapToTheSameCompressionOfTheFormat()
    {
        Assert.Equal("application/vnd.docker.image.rootfs.diff.tar.gzip", ImageFormat.Docker.LayerMediaType(MediaTypes.LayerGzip));
        Assert.Equal("application/vnd.docker.image.rootfs.diff.tar", ImageFormat.Docker.LayerMediaType(MediaTypes.Layer));
        Assert.False(ImageFormat.Docker.Supports(CompressionFormat.Zstd));
        Assert.Throws<InvalidOperationException>(() => ImageFormat.Docker.LayerMediaType(MediaTypes.LayerZstd));
        foreach (var type in new[] { MediaTypes.Layer, MediaTypes.LayerGzip, MediaTypes.LayerZstd })
            Assert.Equal(type, ImageFormat.Oci.LayerMediaType(type));
        Assert.Throws<ArgumentException>(() => ImageFormat.Oci.LayerMediaType("application/vnd.docker.image.rootfs.diff.tar.gzip"));
    }

    [Fact]
    public void ADockerManifestHasDockerTypesAndTheSameConfigAndLayerBlobs()
    {
        var oci = ImageBuilder.Build(Config, Layers);
        var docker = ImageBuilder.Build(Config, Layers, ImageFormat.Docker);
        Assert.Equal(oci.ConfigBytes.ToArray(), docker.ConfigBytes.ToArray());
        Assert.Equal(ImageFormat.DockerManifest, docker.Manifest.MediaType);
        Assert.Equal(ImageFormat.DockerConfig, docker.Config.MediaType);
        Assert.NotEqual(oci.Manifest.Digest, docker.Manifest.Digest);

        var manifest = JsonDocument.Parse(docker.ManifestBytes).RootElement;
        Assert.Equal(2, manifest.GetProperty("schemaVersion").GetInt32());
        Assert.Equal("application/vnd.docker.distribution.manifest.v2+json", manifest.GetProperty("mediaType").GetString());
        Assert.Equal("application/vnd.docker.container.image.v1+json", manifest.GetProperty("config").GetProperty("mediaType").GetString());
        var layers = manifest.GetProperty("layers").EnumerateArray().ToList();
        Assert.Equal(["application/vnd.docker.image.rootfs.diff.tar", "application/vnd.docker.image.rootfs.diff.tar.gzip"],
            layers.Select(l => l.GetProperty("mediaType").GetString()));
        Assert.Equal(Layers.Select(l => l.Digest.ToString()), layers.Select(l => l.GetProperty("digest").GetString()));
        Assert.Equal(Layers.Select(l => l.Size), layers.Select(l => l.GetProperty("size").GetInt64()));

        // The OCI manifest is the one of before: only the media type strings differ between the two.
        var ociText = Encoding.UTF8.GetString(oci.ManifestBytes.Span);
        Assert.Equal(ociText, Encoding.UTF8.GetString(docker.ManifestBytes.Span)
            .Replace(ImageFormat.DockerManifest, MediaTypes.Manifest).Replace(ImageFormat.DockerConfig, MediaTypes.Config)
            .Replace(ImageFormat.DockerLayerGzip, MediaTypes.LayerGzip).Replace(ImageFormat.DockerLayer + "\"", MediaTypes.Layer + "\""));
        Assert.StartsWith("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":", ociText);
    }
}
