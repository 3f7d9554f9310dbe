using System.Formats.Tar;
using System.Text;
using System.Text.Json;
using SlimImage.Output;
using SlimImage.Tests.Support;
using Xunit;
using SlimImage.Oci;

namespace SlimImage.Tests.Output;

/// <summary>
/// The archive as other tools read it: skopeo (containers/image, which podman uses too) through both its
/// oci-archive and docker-archive transports, and umoci unpacking the OCI layout. These fail, never skip, when a
/// tool is missing.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class ArchiveToolsTests
{
    private static (string Path, BuiltImage Image) Write(ScratchDir dir, params string[] tags)
    {
        var image = TestImages.Build(dir);
        var path = dir.Combine("hello.tar");
        ImageArchive.Write(path, image, "hello", tags, TestImages.Timestamp);
        return (path, image);
    }

    private static JsonElement Skopeo(params string[] args)
    {
        Repo.RequireTool("skopeo");
        var result = Repo.Run("skopeo", args, timeoutSeconds: 120).EnsureSuccess();
        return args[0] == "inspect" ? JsonDocument.Parse(result.Output).RootElement.Clone() : default;
    }

    [Fact]
    public void SkopeoInspectsTheOciArchive()
    {
        using var dir = new ScratchDir();
        var (path, image) = Write(dir, "latest");
        var inspect = Skopeo("inspect", "oci-archive:" + path);
        Assert.Equal(image.Manifest.Digest.ToString(), inspect.GetProperty("Digest").GetString());
        Assert.Equal("amd64", inspect.GetProperty("Architecture").GetString());
        Assert.Equal("linux", inspect.GetProperty("Os").GetString());
        Assert.Equal(image.Layers.Select(l => l.Digest.ToString()), inspect.GetProperty("Layers").EnumerateArray().Select(l => l.GetString()));
    }

    [Fact]
    public void SkopeoFindsEachTagOfAMultiTagOciArchive()
    {
        using var dir = new ScratchDir();
        var (path, image) = Write(dir, "1.0", "latest");
        // With two index entries, containers/image needs the tag (oci-archive:PATH:TAG) to choose one.
        foreach (var tag in new[] { "1.0", "latest" })
            Assert.Equal(image.Manifest.Digest.ToString(), Skopeo("inspect", $"oci-archive:{path}:{tag}").GetProperty("Digest").GetString());
    }

    [Fact]
    public void SkopeoInspectsTheDockerArchive()
    {
        using var dir = new ScratchDir();
        var (path, image) = Write(dir, "1.0", "latest");
        var inspect = Skopeo("inspect", "docker-archive:" + path);
        Assert.Equal("amd64", inspect.GetProperty("Architecture").GetString());
        Assert.Equal(image.Layers.Count, inspect.GetProperty("Layers").GetArrayLength());
        Assert.Contains("DOTNET_RUNNING_IN_CONTAINER=true", inspect.GetProperty("Env").EnumerateArray().Select(e => e.GetString()));
        Skopeo("inspect", $"docker-archive:{path}:hello:1.0");
    }

    [Fact]
    public void SkopeoCopiesBothTransportsVerifyingEveryBlob()
    {
        using var dir = new ScratchDir();
        var (path, _) = Write(dir, "latest");
        Skopeo("copy", "--quiet", "oci-archive:" + path, $"oci:{dir.Combine("from-oci")}:latest");
        Skopeo("copy", "--quiet", "docker-archive:" + path, $"oci:{dir.Combine("from-docker")}:latest");
        Skopeo("copy", "--quiet", "docker-archive:" + path, "docker-archive:" + dir.Combine("again.tar") + ":hello:latest");
    }

    [Fact]
    public void UmociUnpacksTheOciLayout()
    {
        Repo.RequireTool("umoci");
        using var dir = new ScratchDir();
        var (path, _) = Write(dir, "latest");
        var layout = dir.Combine("layout");
        Directory.CreateDirectory(layout);
        TarFile.ExtractToDirectory(path, layout, overwriteFiles: false);
        var bundle = dir.Combine("bundle");
        // --rootless keeps ownership out of it when the tests do not run as root.
        List<string> args = ["unpack", "--image", layout + ":latest", bundle];
        if (Environment.UserName != "root") args.Insert(1, "--rootless");
        Repo.Run("umoci", args, timeoutSeconds: 120).EnsureSuccess();

        var root = Path.Combine(bundle, "rootfs");
        Assert.Equal("#!/bin/sh\necho hello from the image\n", File.ReadAllText(Path.Combine(root, "app/hello")));
        Assert.Equal((UnixFileMode)0b111_101_101, File.GetUnixFileMode(Path.Combine(root, "app/hello")));
        Assert.Equal("usr/bin", new FileInfo(Path.Combine(root, "bin")).LinkTarget);
        Assert.Equal((UnixFileMode)0b1_111_111_111, File.GetUnixFileMode(Path.Combine(root, "tmp")));
        Assert.Contains("app:x:1654", File.ReadAllText(Path.Combine(root, "etc/passwd")));

        using var spec = JsonDocument.Parse(File.ReadAllText(Path.Combine(bundle, "config.json")));
        var process = spec.RootElement.GetProperty("process");
        Assert.Equal(["/app/hello"], process.GetProperty("args").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal("/app", process.GetProperty("cwd").GetString());
        Assert.Equal(1654, process.GetProperty("user").GetProperty("uid").GetInt32());
        Assert.Contains("DOTNET_RUNNING_IN_CONTAINER=true", process.GetProperty("env").EnumerateArray().Select(e => e.GetString()));
    }
}
