using System.Text.Json;
using SlimImage.Layers;
using SlimImage.Output;
using SlimImage.Tests.Support;
using Xunit;
using SlimImage.Oci;

namespace SlimImage.Tests.Output;

/// <summary>
/// An archive with zstd layers (SlimImageCompression=zstd) as other tools read it: skopeo inspects and copies it
/// verifying every blob, and unpacks into what umoci reads; the archive is byte-identical when written again.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class ZstdArchiveToolsTests
{
    [Fact]
    public void SkopeoAndUmociReadAZstdArchiveAndItIsReproducible()
    {
        Repo.RequireTool("skopeo");
        Repo.RequireTool("umoci");
        using var dir = new ScratchDir();
        var image = TestImages.Build(dir, "layers-a", LayerCompression.Zstd);
        var again = TestImages.Build(dir, "layers-b", LayerCompression.Zstd);
        var path = dir.Combine("hello.tar");
        ImageArchive.Write(path, image, "hello", ["latest"], TestImages.Timestamp);
        ImageArchive.Write(dir.Combine("again.tar"), again, "hello", ["latest"], TestImages.Timestamp);
        Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(dir.Combine("again.tar")));

        var view = ArchiveValidator.Validate(path);
        Assert.All(view.Layers, l => Assert.Equal("application/vnd.oci.image.layer.v1.tar+zstd", l.MediaType));

        var inspect = JsonDocument.Parse(Repo.Run("skopeo", ["inspect", "--raw", "oci-archive:" + path], timeoutSeconds: 120)
            .EnsureSuccess().Output).RootElement;
        Assert.All(inspect.GetProperty("layers").EnumerateArray(),
            l => Assert.Equal("application/vnd.oci.image.layer.v1.tar+zstd", l.GetProperty("mediaType").GetString()));
        // copy decompresses nothing but checks every blob's digest and size against the manifest.
        Repo.Run("skopeo", ["copy", "--quiet", "oci-archive:" + path, $"oci:{dir.Combine("copy")}:latest"], timeoutSeconds: 120).EnsureSuccess();

        // umoci 0.4 knows gzip layers only (it refuses tar+zstd as "not correct mediatype"); skopeo recompressing the
        // image is how this machine's tools get a zstd image unpacked, and it checks every diff_id on the way.
        var layout = dir.Combine("layout");
        Repo.Run("skopeo", ["copy", "--quiet", "--dest-compress", "--dest-compress-format", "gzip", "oci-archive:" + path,
            $"oci:{layout}:latest"], timeoutSeconds: 120).EnsureSuccess();
        List<string> args = ["unpack", "--image", layout + ":latest", dir.Combine("bundle")];
        if (Environment.UserName != "root") args.Insert(1, "--rootless");
        Repo.Run("umoci", args, timeoutSeconds: 120).EnsureSuccess();
        Assert.Equal("#!/bin/sh\necho hello from the image\n", File.ReadAllText(dir.Combine("bundle", "rootfs", "app", "hello")));
    }
}
