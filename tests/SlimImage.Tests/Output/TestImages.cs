using SlimImage.Image;
using SlimImage.Layers;
using SlimImage.Tests.Layers;
using SlimImage.Oci;
using SlimImage.Entries;

namespace SlimImage.Tests.Output;

/// <summary>A small two-layer image made from files in a scratch folder, for the archive tests.</summary>
internal static class TestImages
{
    public static readonly DateTimeOffset Timestamp = DateTimeOffset.FromUnixTimeSeconds(1_600_000_000);

    public static BuiltImage Build(ScratchDir dir, string layerFolder = "layers", LayerCompression? compression = null,
        ImageFormat? format = null)
    {
        var hello = dir.File("publish/hello", "#!/bin/sh\necho hello from the image\n");
        var dll = dir.File("publish/hello.dll", new string('d', 50_000));
        var options = new LayerOptions(Timestamp, dir.Combine(layerFolder), compression);
        var system = LayerWriter.Write(
        [
            RootfsEntry.Generated("/etc/passwd", "root:x:0:0:root:/root:/bin/false\napp:x:1654:1654::/home/app:/bin/false\n"u8.ToArray()),
            RootfsEntry.Generated("/etc/group", "root:x:0:\napp:x:1654:\n"u8.ToArray()),
            RootfsEntry.Dir("/tmp", 0b1_111_111_111),
            RootfsEntry.Dir("/home/app", 0b111_000_000, 1654, 1654),
            RootfsEntry.Link("/bin", "usr/bin"),
        ], options);
        var app = LayerWriter.Write(
        [
            RootfsEntry.HostFile("/app/hello", hello, 0b111_101_101, EntryOrigin.App),
            RootfsEntry.HostFile("/app/hello.dll", dll, 0b110_100_100, EntryOrigin.App),
        ], options);
        return ImageBuilder.Build(new ImageConfig
        {
            Architecture = "amd64",
            User = "1654",
            WorkingDir = "/app",
            Entrypoint = ["/app/hello"],
            Env = ["PATH=/usr/bin:/bin", "DOTNET_RUNNING_IN_CONTAINER=true"],
            ExposedPorts = ["8080/tcp"],
            Labels = new Dictionary<string, string> { ["org.opencontainers.image.title"] = "hello" },
            Created = Timestamp,
            History = ["SlimImage: system files", "SlimImage: app"],
        }, [system, app], format);
    }
}
