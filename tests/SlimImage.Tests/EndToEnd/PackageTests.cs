using System.IO.Compression;
using System.Reflection.PortableExecutable;
using System.Text.RegularExpressions;
using System.Xml.Linq;
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

    [Fact]
    public void TheTaskForSdk8And9BuildsTheSameImageAsThePrecompiledOne()
    {
        var showTask = new XElement("Target", new XAttribute("Name", "ShowTask"), new XAttribute("AfterTargets", "PublishSlimImage"),
            new XElement("Message", new XAttribute("Importance", "high"), new XAttribute("Text", "TASK=$(_SlimImageTaskAssembly)")));
        var project = TestProject.Create("TaskTwins", Programs.Hello, properties: new Dictionary<string, string>
        {
            ["InvariantGlobalization"] = "true",
            ["SlimImage"] = "true",
        }, targets: [showTask]);
        // Level 4 exists as such only through ZLibCompressionOptions, which the net8.0 build binds by reflection.
        string[] args = ["-r", "linux-x64", "--self-contained", "-p:SlimImageCompressionLevel=4"];
        var precompiled = project.Publish(args).EnsureSuccess();
        var net10 = Regex.Match(precompiled.Output, @"TASK=(\S+)").Groups[1].Value;
        Assert.EndsWith("/tasks/net10.0/SlimImage.Tasks.dll", net10);
        var archive = project.DefaultArchive();
        var bytes = File.ReadAllBytes(archive);

        // The same publish with the task for SDK 8 and 9, from scratch: no up-to-date record, no layer cache.
        Directory.Delete(Path.Combine(project.Directory, "obj", "Release", "net10.0", "linux-x64", "slimimage"), recursive: true);
        var net8 = net10.Replace("/tasks/net10.0/", "/tasks/net8.0/");
        var il = project.Publish([.. args, "-p:_SlimImageTaskAssembly=" + net8]).EnsureSuccess();
        Assert.Contains("TASK=" + net8, il.Output);
        Assert.Contains("SLIM3600: Layers: 3 written and 0 reused", il.Output);
        Assert.True(bytes.AsSpan().SequenceEqual(File.ReadAllBytes(archive)), "the two builds of the task wrote different archives");
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
