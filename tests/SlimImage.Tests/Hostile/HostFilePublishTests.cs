using System.Xml.Linq;
using SlimImage.Tests.EndToEnd;
using SlimImage.Tests.Support;
using Xunit;

namespace SlimImage.Tests.Hostile;

/// <summary>Issue 11 through a real <c>dotnet publish</c>: a SlimImageFile item that is a named pipe ends the build.</summary>
public class HostFilePublishTests
{
    [Fact]
    public void AFifoSlimImageFileItemIsSlim1019AndTheBuildEnds()
    {
        var project = TestProject.Create("FifoItem", Programs.Hello,
            properties: new Dictionary<string, string> { ["InvariantGlobalization"] = "true", ["SlimImage"] = "true" },
            items:
            [
                new XElement("SlimImageFile", new XAttribute("Include", "$(Probe)"), new XAttribute("DestinationPath", "/etc/probe"),
                    new XAttribute("Condition", "'$(Probe)' != ''")),
            ]);
        var fifo = HostFileTests.Fifo(Path.Combine(project.Directory, "probe.pipe"));
        var archive = project.DefaultArchive();
        var args = new[] { "publish", project.ProjectPath, "-c", "Release", "-nodeReuse:false", "-r", "linux-x64", "--self-contained" };

        // Restore and compile are most of this; a hang in the image step would run into the timeout and fail.
        var bad = new PublishResult(Repo.Run("dotnet", [.. args, "-p:Probe=" + fifo], project.Directory,
            PackageFeed.DotnetEnvironment, timeoutSeconds: 400));
        Assert.True(bad.ExitCode != 0, "the publish succeeded:\n" + bad.Output);
        Assert.True(bad.ErrorCodes.SequenceEqual(["SLIM1019"]), $"expected SLIM1019, got {string.Join(",", bad.ErrorCodes)}:\n{bad.Output}");
        Assert.Contains(fifo, bad.Output);
        Assert.Contains("named pipe", bad.Output);
        Assert.False(File.Exists(archive), "an archive was written");
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(archive)!, ".*"));

        var good = new PublishResult(Repo.Run("dotnet", args, project.Directory, PackageFeed.DotnetEnvironment, timeoutSeconds: 400));
        good.EnsureSuccess();
        var view = ArchiveValidator.Validate(archive);
        Assert.Contains("/app/FifoItem", view.Files.Keys);
        Assert.DoesNotContain("/etc/probe", view.Files.Keys);
    }
}
