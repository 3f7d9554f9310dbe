using SlimImage.Tests.Support;
using Xunit;

namespace SlimImage.Tests.EndToEnd;

/// <summary>
/// <c>dotnet clean</c> removes what SlimImage wrote (the archive, the layer cache, the record of the last build) and
/// nothing the SDK's own clean would leave; a build between publish and clean keeps them.
/// </summary>
public class CleanTests
{
    [Fact]
    public void CleanRemovesTheArchiveAndTheLayerCacheAndNothingElse()
    {
        var project = TestProject.Create("CleanHello", Programs.Hello, properties: new Dictionary<string, string>
        {
            ["InvariantGlobalization"] = "true",
            ["SlimImage"] = "true",
        });
        string[] args = ["-r", "linux-x64", "--self-contained"];
        var archive = project.DefaultArchive();
        var output = Path.Combine(project.Directory, "bin", "Release", "net10.0", "linux-x64");
        var intermediate = Path.Combine(project.Directory, "obj", "Release", "net10.0", "linux-x64");
        var slimimage = Path.Combine(intermediate, "slimimage");
        var layers = Path.Combine(slimimage, "layers");

        project.Publish(args).EnsureSuccess();
        Assert.True(File.Exists(archive), archive);
        Assert.NotEmpty(Directory.GetFiles(layers, "*", SearchOption.AllDirectories));

        // A build after the publish neither forgets nor deletes them (its IncrementalClean deletes what the last
        // build listed and this one does not).
        project.Dotnet("build", args).EnsureSuccess();
        Assert.True(File.Exists(archive), "the build after the publish deleted the archive");
        var cached = Files(slimimage);
        Assert.NotEmpty(cached);

        var before = Files(project.Directory);
        project.Dotnet("clean", ["-r", "linux-x64"]).EnsureSuccess(); // clean takes no --self-contained
        var after = Files(project.Directory);

        Assert.False(File.Exists(archive), "dotnet clean left the archive");
        Assert.False(Directory.Exists(layers), "dotnet clean left the layer cache");
        Assert.DoesNotContain(after, file => file.StartsWith(slimimage + "/", StringComparison.Ordinal));
        var deleted = before.Except(after).ToList();
        Assert.Contains(archive, deleted);
        Assert.All(cached, file => Assert.Contains(file, deleted));
        // What else went is the SDK's own clean: build outputs, never the publish folder, the project or its restore.
        Assert.All(deleted.Where(file => file != archive && !file.StartsWith(slimimage + "/", StringComparison.Ordinal)), file =>
        {
            Assert.True(file.StartsWith(output + "/", StringComparison.Ordinal) || file.StartsWith(intermediate + "/", StringComparison.Ordinal), file);
            Assert.False(file.StartsWith(Path.Combine(output, "publish") + "/", StringComparison.Ordinal), file);
        });
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(output, "publish")));
        Assert.True(File.Exists(project.ProjectPath));
        Assert.True(File.Exists(Path.Combine(project.Directory, "obj", "project.assets.json")));
    }

    private static List<string> Files(string folder) =>
        Directory.Exists(folder) ? Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList() : [];
}
