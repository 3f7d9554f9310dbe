using System.Formats.Tar;
using System.Text;
using SlimImage.Diagnostics;
using SlimImage.Pipeline;
using SlimImage.Publish;
using SlimImage.Rootfs;
using SlimImage.Tests.Elf;
using SlimImage.Tests.Support;
using Xunit;
using SlimImage.Entries;
using SlimImage.Oci;

namespace SlimImage.Tests.Base;

/// <summary>
/// The whole pipeline on a small publish folder made by the test (a C program built with gcc, and files standing
/// for the runtime pack and a NuGet package), on each kind of base; every image is read back and run.
/// </summary>
public class BasePipelineTests
{
    internal static (ImageResult Result, List<SlimDiagnostic> Messages) Run(ImageRequest request)
    {
        var messages = new List<SlimDiagnostic>();
        RequestValidator.Validate(request);
        return (ImagePipeline.Run(request, messages.Add, CancellationToken.None), messages);
    }

    [Fact]
    public void TheBusyboxLayerHonoursTheCompressionAndTheLayerCache()
    {
        using var dir = new ScratchDir();
        var request = TestRequests.WholePipeline(dir, "busybox") with
        {
            Compression = LayerCompression.Of(CompressionFormat.Zstd, 19),
            IntermediateDirectory = dir.Combine("obj"),
        };
        var (result, first) = Run(request);
        var view = ArchiveValidator.Validate(result.ArchivePath!);
        // Every layer, busybox's too, is zstd (it was always gzip level 6 and never cached).
        Assert.All(view.Layers, l => Assert.Equal(MediaTypes.LayerZstd, l.MediaType));
        Assert.NotNull(view.Layers[0].Entries.FirstOrDefault(e => e.Path == "/bin/busybox"));
        Assert.Contains(first, m => m.Code == "SLIM3600" && m.Message.StartsWith("Layers: 5 written and 0 reused", StringComparison.Ordinal));
        var (_, second) = Run(request);
        Assert.Contains(second, m => m.Code == "SLIM3600" && m.Message.StartsWith("Layers: 0 written and 5 reused", StringComparison.Ordinal));
        Assert.Contains(second, m => m.Code == "SLIM3600" && m.Message.Contains("(zstd level 19)", StringComparison.Ordinal));
    }

    [Fact]
    public void BusyboxBaseHasItsOwnLayerAndTheShellStartsTheApp()
    {
        using var dir = new ScratchDir();
        var (result, _) = Run(TestRequests.WholePipeline(dir, "busybox"));
        var view = ArchiveValidator.Validate(result.ArchivePath!);
        var bytes = File.ReadAllBytes(result.ArchivePath!);
        Run(TestRequests.WholePipeline(dir, "busybox"));
        Assert.True(bytes.AsSpan().SequenceEqual(File.ReadAllBytes(result.ArchivePath!)), "the same inputs must give the same archive");

        // busybox, build machine files, runtime, package, app: in that order.
        Assert.Equal(5, view.Layers.Count);
        var busybox = view.Layers[0];
        Assert.Equal(TarEntryType.RegularFile, busybox.Find("/bin/busybox")!.Type);
        Assert.Equal(0b111_101_101, busybox.Find("/bin/busybox")!.Mode);
        var applets = Repo.Run("busybox", ["--list"]).EnsureSuccess().Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        foreach (var applet in applets.Where(a => a != "busybox"))
            Assert.Equal("busybox", busybox.Find("/bin/" + applet)?.LinkName);
        Assert.Equal(applets.Length, busybox.Entries.Count(e => e.Type == TarEntryType.SymbolicLink) + 1);
        Assert.NotNull(view.Layers[1].Find("/etc/passwd"));
        Assert.NotNull(view.Layers[2].Find("/app/System.Private.CoreLib.dll"));
        Assert.NotNull(view.Layers[3].Find("/app/Newtonsoft.Json.dll"));
        Assert.NotNull(view.Layers[4].Find("/app/app"));
        Assert.Null(view.Layers[4].Find("/etc/passwd"));
        // Each layer carries the folders above its files as the plan has them: the same entry in every layer.
        Assert.All(view.Layers.Skip(2), l => Assert.Equal(0b111_101_101, l.Find("/app")!.Mode));
        var history = view.Config.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("created_by").GetString()!).ToList();
        Assert.Equal(5, history.Count);
        Assert.StartsWith("SlimImage: busybox v", history[0]);

        var run = ImageRunner.Run(result.ArchivePath!, ["-c", "echo sum=$((6*7)); ls /bin/sh; /app/app one two"], entrypoint: "/bin/sh");
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("sum=42", run.Output);
        Assert.Contains("app ran args=2", run.Output);
        Assert.Equal(1654, run.Uid);
    }

    [Fact]
    public void TheStepSaysWhereItsTimeWent()
    {
        using var dir = new ScratchDir();
        var (_, messages) = Run(TestRequests.WholePipeline(dir, "scratch"));
        var times = Assert.Single(messages, m => m.Code == "SLIM3601");
        Assert.Equal(SlimSeverity.Detail, times.Severity);
        Assert.Matches(@"^Stage times: publish output \d+ ms, base \d+ ms, closure and rootfs plan \d+ ms, layers \d+ ms, " +
            @"image \d+ ms, archive \d+ ms; total \d+ ms\.$", times.Message);
    }

    [Fact]
    public void SingleLayeringPutsSlimImagesFilesInOneLayer()
    {
        using var dir = new ScratchDir();
        var (result, _) = Run(TestRequests.WholePipeline(dir, "scratch") with { Layering = SlimImage.Layers.Layering.Single });
        var view = ArchiveValidator.Validate(result.ArchivePath!);
        var layer = Assert.Single(view.Layers);
        Assert.NotNull(layer.Find("/etc/passwd"));
        Assert.NotNull(layer.Find("/app/app"));
        Assert.NotNull(layer.Find("/app/Newtonsoft.Json.dll"));
        var run = ImageRunner.Run(result.ArchivePath!);
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("app ran args=0", run.Output);
    }

    [Fact]
    public void AnAppWithNoRuntimeOrPackageFilesLeavesThoseLayersOut()
    {
        using var dir = new ScratchDir();
        var request = TestRequests.WholePipeline(dir, "scratch");
        var (result, _) = Run(request with { PublishFiles = request.PublishFiles.Where(f => f.Origin == EntryOrigin.App).ToList() });
        var view = ArchiveValidator.Validate(result.ArchivePath!);
        Assert.Equal(2, view.Layers.Count); // build machine files, app
        Assert.Equal(2, view.Config.GetProperty("history").GetArrayLength());
    }

    [Fact]
    public void ArchiveBasesKeepTheirLayersFilesAndEnvAndProvideTheirLibraries()
    {
        using var dir = new ScratchDir();
        var testBase = TestBase.Build(dir.Combine("base"), withLibstdcxx: true);
        foreach (var (archive, digests) in new[]
                 {
                     (testBase.OciArchive, testBase.LayerDigests),
                     // docker-archive layers are plain tars: their digests are the diff_ids.
                     (testBase.DockerArchive, testBase.DiffIds),
                     (testBase.ZstdArchive, null),
                 })
        {
            using var scratch = new ScratchDir();
            var (result, messages) = Run(TestRequests.WholePipeline(scratch, archive, linkLibstdcxx: true));
            var view = ArchiveValidator.Validate(result.ArchivePath!);
            var name = Path.GetFileName(archive);

            Assert.True(view.Layers.Count == 3 + 4, name);
            Assert.Equal(testBase.DiffIds, view.Layers.Take(3).Select(l => l.DiffId));
            if (digests != null) Assert.Equal(digests, view.Layers.Take(3).Select(l => l.Digest));
            if (archive == testBase.ZstdArchive) Assert.All(view.Layers.Take(3), l => Assert.EndsWith("+zstd", l.MediaType));
            Assert.Equal(TestBase.Greeting, Encoding.UTF8.GetString(view.Files["/opt/greeting.txt"].Content!));

            // Env: the base's kept, its PATH too; SlimImage's added. Labels kept, Cmd dropped, User/WorkingDir SlimImage's.
            Assert.Contains("GREETING=hello-from-base", view.Env);
            Assert.Contains("PATH=/opt/bin:/usr/bin:/bin", view.Env);
            Assert.Contains("DOTNET_RUNNING_IN_CONTAINER=true", view.Env);
            Assert.Equal("kept", view.RuntimeConfig.GetProperty("Labels").GetProperty("base.label").GetString());
            Assert.False(view.RuntimeConfig.TryGetProperty("Cmd", out _));
            Assert.Equal("1654", view.User);
            Assert.Equal("/app", view.WorkingDir);
            Assert.True(view.RuntimeConfig.GetProperty("ExposedPorts").TryGetProperty("9000/tcp", out _));
            Assert.True(view.RuntimeConfig.GetProperty("Volumes").TryGetProperty("/data", out _));
            Assert.Equal("SIGTERM", view.RuntimeConfig.GetProperty("StopSignal").GetString());
            Assert.Equal(3 + 4, view.Config.GetProperty("history").EnumerateArray().Count(h => !h.TryGetProperty("empty_layer", out _)));

            // The base's libstdc++ is where the loader looks: SlimImage adds none, but what it needs (libgcc_s, libm).
            var ours = view.Layers.Skip(3).SelectMany(l => l.Entries).ToList();
            Assert.DoesNotContain(ours, e => e.Path.Contains("libstdc++"));
            Assert.Contains(ours, e => e.Path.EndsWith("/libgcc_s.so.1"));
            Assert.Contains(messages, m => m.Code == "SLIM3506" && m.Message.Contains("libstdc++.so.6"));
            // /etc/passwd: the base's users, then app.
            var passwd = Encoding.UTF8.GetString(view.Files["/etc/passwd"].Content!);
            Assert.StartsWith("root:x:0:0:root:/root:/bin/sh\n" + TestBase.BaseUserLine + "\n", passwd);
            Assert.Contains("\napp:x:1654:1654:", passwd);

            if (archive == testBase.ZstdArchive)
            {
                // umoci 0.4 cannot unpack zstd layers, so this one is not run; skopeo still checks every blob.
                Repo.Run("skopeo", ["copy", "--quiet", "oci-archive:" + result.ArchivePath, $"oci:{scratch.Combine("copy")}:x"]).EnsureSuccess();
                continue;
            }
            var run = ImageRunner.Run(result.ArchivePath!, ["x"]);
            Assert.True(run.ExitCode == 0, name + ": " + run.Output);
            Assert.Contains("app ran args=1", run.Output);
            Assert.Equal(TestBase.Greeting, File.ReadAllText(Path.Combine(run.RootFs, "opt/greeting.txt")));
            Assert.False(File.Exists(Path.Combine(run.RootFs, "opt/removed.txt")), "the base's whiteout must still apply");
        }
    }

    [Fact]
    public void ABaseUserNameIsAcceptedAndAnUnknownOneIsSlim1305()
    {
        using var dir = new ScratchDir();
        var testBase = TestBase.Build(dir.Combine("base"));
        using var scratch = new ScratchDir();
        var (result, _) = Run(TestRequests.WholePipeline(scratch, testBase.OciArchive) with { User = "baseuser" });
        Assert.Equal("baseuser", ArchiveValidator.Validate(result.ArchivePath!).User);
        var e = Assert.Throws<SlimException>(() => Run(TestRequests.WholePipeline(scratch, testBase.OciArchive) with { User = "nobody" }));
        Assert.Equal("SLIM1305", e.Code);
        Assert.Contains("baseuser", e.Message);
    }
}
