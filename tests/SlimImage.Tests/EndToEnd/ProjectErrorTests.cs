using System.Xml.Linq;
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
    public void BadPlatformListsAreSlim53xxBeforeAnyPublishAndWriteNothing()
    {
        // An empty folder as arm64's sysroot: the libraries of that architecture are missing there.
        var project = TestProject.Create("BadPlatforms", Programs.Hello,
            properties: new Dictionary<string, string> { ["InvariantGlobalization"] = "true", ["SlimImage"] = "true" },
            items: [new XElement("SlimImageSysroot", new XAttribute("Include", "linux-arm64"), new XAttribute("Path", "empty-root"),
                new XAttribute("Condition", "'$(EmptyRoot)' == 'true'"))]);
        Directory.CreateDirectory(Path.Combine(project.Directory, "empty-root"));
        var cases = new (string[] Args, string Code, string Names)[]
        {
            (["-p:SlimImageRuntimeIdentifiers=\"linux-x64;win-x64\""], "SLIM5301", "'win-x64'"),
            (["-p:ContainerRuntimeIdentifiers=\"linux-arm64;linux-x64;linux-arm64\""], "SLIM5302", "linux/arm64/v8"),
            (["-p:SlimImageRuntimeIdentifiers=\"linux-x64;linux-arm64\"", "-p:EmptyRoot=true"], "SLIM5303", "libc6:arm64 libstdc++6:arm64 libgcc-s1:arm64"),
            (["-p:SlimImageRuntimeIdentifiers=linux-musl-x64"], "SLIM5304", "/lib/ld-musl-x86_64.so.1"),
        };
        foreach (var (args, code, names) in cases)
        {
            var publish = project.Publish(args);
            Assert.True(publish.ExitCode != 0, string.Join(" ", args) + "\n" + publish.Output);
            Assert.Equal([code], publish.ErrorCodes);
            Assert.Contains(names, publish.Output);
            Assert.False(Directory.Exists(Path.Combine(project.Directory, "obj", "slimimage")), "no inner publish may start");
            Assert.Empty(Directory.GetFiles(project.Directory, "*.tar", SearchOption.AllDirectories));
        }
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

    [Fact]
    public void InvalidInputsAreSlimErrorsNamingThePropertyAndLeaveNoArchive()
    {
        // One project; each bad item is switched on by a property, so every case is one incremental publish.
        var project = TestProject.Create("BadInputs", Programs.Hello,
            properties: new Dictionary<string, string> { ["InvariantGlobalization"] = "true", ["SlimImage"] = "true" },
            items:
            [
                new XElement("SlimImagePort", new XAttribute("Include", "http"), new XAttribute("Condition", "'$(Bad)' == 'port'")),
                new XElement("SlimImageEnvironmentVariable", new XAttribute("Include", "1X"), new XAttribute("Value", "v"), new XAttribute("Condition", "'$(Bad)' == 'env'")),
                new XElement("SlimImageFile", new XAttribute("Include", "/nonexistent/slimimage/file.txt"), new XAttribute("DestinationPath", "/etc/x"), new XAttribute("Condition", "'$(Bad)' == 'file'")),
                new XElement("SlimImageLibraryPath", new XAttribute("Include", "unused"), new XAttribute("Condition", "'$(Bad)' == 'never'")),
            ]);
        var archive = project.DefaultArchive();
        var cases = new (string[] Args, Dictionary<string, string?>? Env, string Code, string Names)[]
        {
            (["-p:Bad=port"], null, "SLIM1010", "SlimImagePort"),
            (["-p:Bad=env"], null, "SLIM1011", "SlimImageEnvironmentVariable"),
            (["-p:Bad=file"], null, "SLIM1006", "/nonexistent/slimimage/file.txt"),
            (["-p:SlimImageTags=bad:tag"], null, "SLIM1009", "SlimImageTags"),
            (["-p:SlimImageUser=nobody"], null, "SLIM1014", "nobody"),
            (["-p:SlimImageWorkingDirectory=srv"], null, "SLIM1015", "srv"),
            ([], new() { ["SOURCE_DATE_EPOCH"] = "yesterday" }, "SLIM1013", "SOURCE_DATE_EPOCH"),
            (["-p:SlimImageArchiveOutputPath=/proc/slimimage/out.tar"], null, "SLIM1016", "/proc/slimimage/out.tar"),
        };
        foreach (var (args, env, code, names) in cases)
        {
            var publish = project.Publish(["-r", "linux-x64", "--self-contained", .. args], env);
            Assert.True(publish.ExitCode != 0, $"{code}: the publish succeeded:\n{publish.Output}");
            Assert.True(publish.ErrorCodes.SequenceEqual([code]), $"expected only {code}, got {string.Join(",", publish.ErrorCodes)}:\n{publish.Output}");
            Assert.Contains(names, publish.Output);
            Assert.DoesNotContain("MSB4018", publish.Output);
            Assert.False(File.Exists(archive), $"{code} left an archive");
            Assert.Empty(Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(archive)!, ".*"));
        }
    }
}
