using SlimImage.Tests.Support;
using Xunit;

namespace SlimImage.Tests.EndToEnd;

/// <summary>Mistakes in the project are SLIM errors raised before any image work, and leave no archive.</summary>
public class ProjectErrorTests
{
    [Fact]
    public void NonLinuxRuntimeIdentifierIsSlim1001()
    {
        var project = TestProject.Create("WinRid", Programs.Hello);
        var publish = project.Publish("-r", "win-x64", "--self-contained", "-p:SlimImage=true");
        Assert.NotEqual(0, publish.ExitCode);
        Assert.Contains("SLIM1001", publish.ErrorCodes);
        Assert.Contains("win-x64", publish.Output);
        Assert.False(Directory.Exists(Path.Combine(project.Directory, "bin/Release/net10.0/win-x64/publish")),
            "the error must come before the publish");
    }

    [Fact]
    public void ForcedFrameworkDependentIsSlim1002AndBadRepositoryIsSlim1008()
    {
        var project = TestProject.Create("FdHello", Programs.Hello);
        var publish = project.Publish("-r", "linux-x64", "--self-contained", "false", "-p:SlimImage=true");
        Assert.NotEqual(0, publish.ExitCode);
        Assert.Contains("SLIM1002", publish.ErrorCodes);
        Assert.False(File.Exists(project.DefaultArchive()));

        var bad = project.Publish("-r", "linux-x64", "--self-contained", "-p:SlimImage=true", "-p:InvariantGlobalization=true",
            "-p:SlimImageRepository=My_App!");
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("SLIM1008", bad.ErrorCodes);
        Assert.Contains("SlimImageRepository", bad.Output);
        Assert.Empty(Directory.GetFiles(Path.Combine(project.Directory, "bin/Release/net10.0/linux-x64"), "*.tar*"));
    }
}
