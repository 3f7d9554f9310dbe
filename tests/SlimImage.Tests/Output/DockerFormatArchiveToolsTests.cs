using System.Text.Json;
using SlimImage.Output;
using SlimImage.Tests.Support;
using Xunit;
using SlimImage.Oci;

namespace SlimImage.Tests.Output;

/// <summary>
/// An archive with Docker v2 schema 2 media types (ContainerImageFormat=Docker) as other tools read it: skopeo
/// through both transports, and umoci after skopeo converted it to an OCI layout (umoci 0.4 reads OCI media types only).
/// The Docker daemon reads it in <see cref="EndToEnd.DockerFormatPublishTests"/>.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class DockerFormatArchiveToolsTests
{
    private static JsonElement Json(string output) => JsonDocument.Parse(output).RootElement.Clone();

    [Fact]
    public void SkopeoReadsBothTransportsAndUmociUnpacksItsOciCopyAndTheArchiveIsReproducible()
    {
        Repo.RequireTool("skopeo");
        Repo.RequireTool("umoci");
        using var dir = new ScratchDir();
        var image = TestImages.Build(dir, "layers-a", format: ImageFormat.Docker);
        var oci = TestImages.Build(dir, "layers-b");
        var path = dir.Combine("hello.tar");
        ImageArchive.Write(path, image, "hello", ["latest"], TestImages.Timestamp);
        ImageArchive.Write(dir.Combine("again.tar"), TestImages.Build(dir, "layers-c", format: ImageFormat.Docker), "hello", ["latest"], TestImages.Timestamp);
        Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(dir.Combine("again.tar")));

        var view = ArchiveValidator.Validate(path);
        Assert.Equal(ImageFormat.DockerManifest, view.Manifest.GetProperty("mediaType").GetString());
        Assert.Equal(ImageFormat.DockerManifest, view.Index.GetProperty("manifests")[0].GetProperty("mediaType").GetString());
        Assert.Equal(ImageFormat.DockerConfig, view.Manifest.GetProperty("config").GetProperty("mediaType").GetString());
        Assert.All(view.Layers, l => Assert.Equal(ImageFormat.DockerLayerGzip, l.MediaType));
        // The same blobs as the OCI image: only the manifest differs.
        Assert.Equal(oci.Layers.Select(l => l.Digest), image.Layers.Select(l => l.Digest));
        Assert.Equal(oci.Config.Digest, image.Config.Digest);

        // oci-archive: containers/image takes the docker manifest the index names, as it is.
        var raw = Json(Repo.Run("skopeo", ["inspect", "--raw", "oci-archive:" + path], timeoutSeconds: 120).EnsureSuccess().Output);
        Assert.Equal(ImageFormat.DockerManifest, raw.GetProperty("mediaType").GetString());
        var inspect = Json(Repo.Run("skopeo", ["inspect", "oci-archive:" + path], timeoutSeconds: 120).EnsureSuccess().Output);
        Assert.Equal(image.Manifest.Digest.ToString(), inspect.GetProperty("Digest").GetString());
        Assert.Equal(image.Layers.Select(l => l.Digest.ToString()), inspect.GetProperty("Layers").EnumerateArray().Select(l => l.GetString()));
        // docker-archive: manifest.json, the part docker load reads (skopeo names its layers by diff_id).
        var docker = Json(Repo.Run("skopeo", ["inspect", "docker-archive:" + path + ":hello:latest"], timeoutSeconds: 120).EnsureSuccess().Output);
        Assert.Equal("amd64", docker.GetProperty("Architecture").GetString());
        Assert.Equal(view.Layers.Select(l => l.DiffId), docker.GetProperty("Layers").EnumerateArray().Select(l => l.GetString()));

        // skopeo copy checks every blob against the docker manifest and writes an OCI manifest, which umoci reads.
        var layout = dir.Combine("layout");
        Repo.Run("skopeo", ["copy", "--quiet", "oci-archive:" + path, $"oci:{layout}:latest"], timeoutSeconds: 120).EnsureSuccess();
        List<string> args = ["unpack", "--image", layout + ":latest", dir.Combine("bundle")];
        if (Environment.UserName != "root") args.Insert(1, "--rootless");
        Repo.Run("umoci", args, timeoutSeconds: 120).EnsureSuccess();
        Assert.Equal("#!/bin/sh\necho hello from the image\n", File.ReadAllText(dir.Combine("bundle", "rootfs", "app", "hello")));
        using var spec = JsonDocument.Parse(File.ReadAllText(dir.Combine("bundle", "config.json")));
        Assert.Equal(1654, spec.RootElement.GetProperty("process").GetProperty("user").GetProperty("uid").GetInt32());
    }
}
