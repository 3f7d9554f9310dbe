using SlimImage.Image;
using SlimImage.Layers;
using SlimImage.Rootfs;
using SlimImage.Oci;
using SlimImage.Entries;

namespace SlimImage.Tests.Support;

/// <summary>Small two-layer images (system files, then the app) made from files in a scratch folder.</summary>
internal static class TestImages
{
    public static readonly DateTimeOffset Timestamp = DateTimeOffset.FromUnixTimeSeconds(1_600_000_000);

    private static readonly RootfsEntry[] SystemFiles =
    [
        RootfsEntry.Generated("/etc/passwd", "root:x:0:0:root:/root:/bin/false\napp:x:1654:1654::/home/app:/bin/false\n"u8.ToArray()),
        RootfsEntry.Generated("/etc/group", "root:x:0:\napp:x:1654:\n"u8.ToArray()),
        RootfsEntry.Dir("/tmp", 0b1_111_111_111),
    ];

    /// <summary>For the archive tests: a shell script the image runs (<c>/app/hello</c>), a 50 kB file, and a full config.</summary>
    public static BuiltImage Build(ScratchDir dir, string layerFolder = "layers", LayerCompression? compression = null,
        ImageFormat? format = null)
    {
        var hello = dir.File("publish/hello", "#!/bin/sh\necho hello from the image\n");
        var dll = dir.File("publish/hello.dll", new string('d', 50_000));
        return Image(new LayerOptions(Timestamp, dir.Combine(layerFolder), compression),
            [.. SystemFiles, RootfsEntry.Dir("/home/app", 0b111_000_000, 1654, 1654), RootfsEntry.Link("/bin", "usr/bin")],
            [
                RootfsEntry.HostFile("/app/hello", hello, 0b111_101_101, EntryOrigin.App),
                RootfsEntry.HostFile("/app/hello.dll", dll, 0b110_100_100, EntryOrigin.App),
            ],
            new ImageConfig
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
            }, format);
    }

    /// <summary>
    /// For the registry tests: a "system" layer that never changes and an "app" layer holding <paramref name="appText"/>
    /// (plus <paramref name="noise"/> incompressible bytes, to make a blob large), in a folder of its own each call.
    /// </summary>
    public static BuiltImage Small(ScratchDir dir, string appText = "hello from the registry test", int noise = 0, string architecture = "amd64")
    {
        var sub = "img-" + Guid.NewGuid().ToString("N")[..6];
        var app = new List<RootfsEntry> { RootfsEntry.HostFile("/app/app.txt", dir.File($"{sub}/app.txt", appText), 0b110_100_100, EntryOrigin.App) };
        if (noise > 0)
        {
            var bytes = new byte[noise];
            new Random(noise).NextBytes(bytes);
            app.Add(RootfsEntry.HostFile("/app/noise.bin", dir.File($"{sub}/noise.bin", bytes), 0b110_100_100, EntryOrigin.App));
        }
        return Image(new LayerOptions(Timestamp, dir.Combine(sub, "layers")), SystemFiles, app, new ImageConfig
        {
            Architecture = architecture,
            User = "1654",
            WorkingDir = "/app",
            Entrypoint = ["/app/app"],
            Created = Timestamp,
            History = ["system", "app"],
        }, null);
    }

    private static BuiltImage Image(LayerOptions options, IReadOnlyList<RootfsEntry> system, IReadOnlyList<RootfsEntry> app, ImageConfig config, ImageFormat? format) =>
        ImageBuilder.Build(config, [LayerWriter.Write(system, options), LayerWriter.Write(app, options)], format);
}
