using System.IO.Compression;
using System.Reflection.PortableExecutable;
using SlimImage.Tests.Support;
using Xunit;

namespace SlimImage.Tests.EndToEnd;

/// <summary>
/// The task assembly as the package ships it: IL for the MSBuild of SDK 8 and 9 (net8.0), and the same code
/// ReadyToRun-compiled for the MSBuild of SDK 10 (net10.0), which is what this SDK's builds load.
/// </summary>
public class PackageTests
{
    private static readonly string[] TaskFiles = ["ELFSharp.dll", "SlimImage.Tasks.deps.json", "SlimImage.Tasks.dll", "ZstdSharp.dll"];

    [Fact]
    public void ThePackageShipsTheTaskAsIlForSdk8And9AndPrecompiledForSdk10()
    {
        var feed = PackageFeed.Shared;
        using var package = ZipFile.OpenRead(Path.Combine(feed.Directory, $"SlimImage.Sdk.{feed.Version}.nupkg"));
        foreach (var framework in new[] { "net8.0", "net10.0" })
        {
            var files = package.Entries.Where(e => e.FullName.StartsWith($"tasks/{framework}/", StringComparison.Ordinal))
                .Select(e => e.Name).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(TaskFiles, files);
            foreach (var assembly in new[] { "SlimImage.Tasks.dll", "ELFSharp.dll" })
                Assert.True(IsReadyToRun(package.GetEntry($"tasks/{framework}/{assembly}")!) == (framework == "net10.0"),
                    $"tasks/{framework}/{assembly} should {(framework == "net10.0" ? "" : "not ")}be ReadyToRun-compiled");
        }
    }

    [Fact]
    public void TheMsbuildOfThisSdkLoadsThePrecompiledTask()
    {
        var project = TestProject.Create("TaskPick", Programs.Hello, properties: new Dictionary<string, string> { ["SlimImage"] = "true" });
        Repo.Run("dotnet", ["restore", project.ProjectPath, "-nodeReuse:false"], project.Directory, PackageFeed.DotnetEnvironment).EnsureSuccess();
        var evaluated = Repo.Run("dotnet", ["msbuild", project.ProjectPath, "-nodeReuse:false", "-getProperty:_SlimImageTaskAssembly"],
            project.Directory, PackageFeed.DotnetEnvironment).EnsureSuccess().Output.Trim();
        Assert.EndsWith("/tasks/net10.0/SlimImage.Tasks.dll", evaluated.Replace('\\', '/'));
        Assert.True(File.Exists(evaluated), evaluated);
    }

    private static bool IsReadyToRun(ZipArchiveEntry entry)
    {
        using var copy = new MemoryStream();
        using (var stream = entry.Open()) stream.CopyTo(copy);
        copy.Position = 0;
        using var pe = new PEReader(copy);
        // A ReadyToRun image has a managed native header (the READYTORUN_HEADER) in its CLI header.
        return pe.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size > 0;
    }
}
