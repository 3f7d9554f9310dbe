using SlimImage.Rootfs;
using System.Diagnostics;
using System.Net.Sockets;
using SlimImage.Diagnostics;
using SlimImage.FileSystem;
using SlimImage.Layers;
using SlimImage.Pipeline;
using SlimImage.Publish;
using SlimImage.Tests.Base;
using SlimImage.Tests.Support;
using Xunit;
using SlimImage.Oci;
using SlimImage.Entries;

namespace SlimImage.Tests.Hostile;

/// <summary>
/// Issue 11: a project item (a pull request can add one) names a named pipe, a socket, a device or a /proc file. Each
/// is a SLIM error within seconds, naming the path, with nothing left behind; the next normal build is correct.
/// Every run is bounded by a timeout, so that a regression fails instead of hanging the test run.
/// </summary>
public class HostFileTests
{
    private static readonly TimeSpan Quickly = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("fifo", "SLIM1019")]
    [InlineData("folder-with-fifo", "SLIM1020")]
    [InlineData("socket", "SLIM1019")]
    [InlineData("folder-with-socket", "SLIM1020")]
    [InlineData("/dev/zero", "SLIM1019")]
    [InlineData("link-to-dev-zero", "SLIM1019")]
    [InlineData("/proc/self/status", "SLIM1022")]
    public void ASpecialFileAsSlimImageFileIsAnErrorNamingItAndLeavesNothing(string kind, string code)
    {
        using var dir = new ScratchDir();
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        var (item, named) = Make(dir, kind, socket);
        var good = TestRequests.WholePipeline(dir, "scratch");
        var bad = good with { Files = [new ExtraFile(item, "/etc/probe")] };

        var e = Assert.IsType<SlimException>(RunBounded(bad));
        Assert.Equal(code, e.Code);
        Assert.Contains(named, e.Message);
        AssertNothingLeft(bad);

        var (result, _) = BasePipelineTests.Run(good);
        var view = ArchiveValidator.Validate(result.ArchivePath!);
        Assert.Contains("/app/app", view.Files.Keys);
        Assert.DoesNotContain("/etc/probe", view.Files.Keys);
    }

    [Fact]
    public void AFifoInThePublishOutputIsSlim1021NamingIt()
    {
        using var dir = new ScratchDir();
        var good = TestRequests.WholePipeline(dir, "scratch");
        var fifo = Fifo(dir.Combine("publish", "trace.pipe"));
        var bad = good with { PublishFiles = [.. good.PublishFiles, new PublishFile(fifo, "trace.pipe", EntryOrigin.App)] };

        var e = Assert.IsType<SlimException>(RunBounded(bad));
        Assert.Equal("SLIM1021", e.Code);
        Assert.Contains(fifo, e.Message);
        Assert.Contains("named pipe", e.Message);
        AssertNothingLeft(bad);
    }

    [Fact]
    public void AFifoAsSlimImageCaCertificateIsSlim1021NamingTheItem()
    {
        using var dir = new ScratchDir();
        var fifo = Fifo(dir.Combine("ca.pem"));
        var request = TestRequests.WholePipeline(dir, "scratch") with { CaCertificates = [fifo] };
        var e = Assert.IsType<SlimException>(RunBounded(request));
        Assert.Equal("SLIM1021", e.Code);
        Assert.Contains(fifo, e.Message);
        Assert.Contains("SlimImageCaCertificate", e.Message);
        AssertNothingLeft(request);
    }

    [Fact]
    public void AFifoAsSlimImageBaseIsSlim1021()
    {
        using var dir = new ScratchDir();
        var fifo = Fifo(dir.Combine("base.tar"));
        var request = TestRequests.WholePipeline(dir, fifo);
        var e = Assert.IsType<SlimException>(RunBounded(request));
        Assert.Equal("SLIM1021", e.Code);
        Assert.Contains(fifo, e.Message);
        Assert.Contains("SlimImageBase", e.Message);
        AssertNothingLeft(request);
    }

    [Fact]
    public void AFifoSwappedInAfterPlanningIsRefusedWhenTheLayerIsWritten()
    {
        using var dir = new ScratchDir();
        var path = dir.File("data/config.json", "{}");
        var entries = new[] { RootfsEntry.HostFile("/etc/config.json", path, 0b110_100_100, EntryOrigin.App) };
        // Planned as a regular file; a FIFO takes its place before the layer is written.
        File.Delete(path);
        Fifo(path);
        var options = new LayerOptions(DateTimeOffset.UnixEpoch, dir.Combine("out"), LayerCompression.Gzip);

        var write = Task.Run(() => LayerWriter.Write(entries, options));
        Assert.True(SpinWait.SpinUntil(() => write.IsCompleted, Quickly), "writing a layer from a FIFO hangs");
        var e = Assert.IsType<SlimException>(write.Exception?.InnerException);
        Assert.Equal("SLIM1021", e.Code);
        Assert.Contains(path, e.Message);
        Assert.Empty(dir.AllFiles(dir.Combine("out")));
    }

    [Fact]
    public void OpeningAFifoNeverWaitsForAWriter()
    {
        using var dir = new ScratchDir();
        var fifo = Fifo(dir.Combine("pipe"));
        Assert.Equal(HostFileType.Fifo, HostFile.TypeOf(fifo));
        var open = Task.Run(() => HostFile.OpenRead(fifo, "test"));
        Assert.True(SpinWait.SpinUntil(() => open.IsCompleted, Quickly), "open() of a FIFO blocks");
        Assert.Equal("SLIM1021", Assert.IsType<SlimException>(open.Exception?.InnerException).Code);

        Assert.Equal(HostFileType.CharacterDevice, HostFile.TargetTypeOf("/dev/null"));
        Assert.Equal(HostFileType.Symlink, HostFile.TypeOf("/proc/self"));
        Assert.Equal(HostFileType.Directory, HostFile.TargetTypeOf("/proc/self"));
        Assert.Equal(HostFileType.Missing, HostFile.TypeOf(dir.Combine("nothing")));
        using var regular = HostFile.OpenRead(dir.File("f", "abc"), "test");
        Assert.Equal(3, regular.Length);
        Assert.Throws<FileNotFoundException>(() => HostFile.OpenRead(dir.Combine("nothing"), "test"));
    }

    [Fact]
    public void AProcFileWhoseSizeIsMadeUpIsSlim1022WhenTheLayerIsWritten()
    {
        // Past the planner (which reads empty-looking files): the layer writer tells it from a file being written.
        using var dir = new ScratchDir();
        var entries = new[] { RootfsEntry.HostFile("/etc/status", "/proc/self/status", 0b110_100_100, EntryOrigin.App) };
        var options = new LayerOptions(DateTimeOffset.UnixEpoch, dir.Combine("out"), LayerCompression.Gzip);
        var e = Assert.Throws<SlimException>(() => LayerWriter.Write(entries, options));
        Assert.Equal("SLIM1022", e.Code);
        Assert.Contains("/proc/self/status", e.Message);
        Assert.Contains("size changes while it is read", e.Message);
        Assert.DoesNotContain("0 bytes when opened and 0", e.Message);
        Assert.Empty(dir.AllFiles(dir.Combine("out")));
    }

    private static (string Item, string Named) Make(ScratchDir dir, string kind, Socket socket)
    {
        switch (kind)
        {
            case "fifo":
                return (Fifo(dir.Combine("probe.pipe")), dir.Combine("probe.pipe"));
            case "folder-with-fifo":
                dir.File("conf/a.txt", "a");
                return (dir.Combine("conf"), Fifo(dir.Combine("conf", "sub", "b.pipe")));
            case "socket":
                socket.Bind(new UnixDomainSocketEndPoint(dir.Combine("probe.sock")));
                return (dir.Combine("probe.sock"), dir.Combine("probe.sock"));
            case "folder-with-socket":
                dir.File("conf/a.txt", "a");
                socket.Bind(new UnixDomainSocketEndPoint(dir.Combine("conf", "s.sock")));
                return (dir.Combine("conf"), dir.Combine("conf", "s.sock"));
            case "link-to-dev-zero":
                File.CreateSymbolicLink(dir.Combine("zero"), "/dev/zero");
                return (dir.Combine("zero"), dir.Combine("zero"));
            default:
                return (kind, kind);
        }
    }

    internal static string Fifo(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        Repo.Run("mkfifo", [path], timeoutSeconds: 30).EnsureSuccess();
        return path;
    }

    /// <summary>Validates and runs the pipeline on another thread; a run still going after 30 s fails the test.</summary>
    private static Exception? RunBounded(ImageRequest request)
    {
        var watch = Stopwatch.StartNew();
        var run = Task.Run(() => BasePipelineTests.Run(request));
        Assert.True(SpinWait.SpinUntil(() => run.IsCompleted, Quickly), "the build hangs on a special file");
        Assert.True(watch.Elapsed < Quickly);
        return run.Exception?.InnerException;
    }

    private static void AssertNothingLeft(ImageRequest request)
    {
        var output = Path.GetDirectoryName(request.ArchivePath)!;
        Assert.False(File.Exists(request.ArchivePath), "an archive was written");
        var left = Directory.Exists(output) ? Directory.EnumerateFileSystemEntries(output).ToList() : [];
        Assert.True(left.Count == 0, "left behind: " + string.Join(", ", left));
    }
}
