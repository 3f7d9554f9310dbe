using SlimImage.Diagnostics;
using SlimImage.Publish;
using SlimImage.Tests.Support;
using Xunit;
using SlimImage.Entries;

namespace SlimImage.Tests.Publish;

/// <summary>
/// The publish folder read on disk and merged with the items: what was written goes in with the items' metadata,
/// what an earlier publish left is named and left out, links are never followed, item paths never climb out.
/// </summary>
public class PublishFolderTests
{
    private static string Write(string root, string relative, string content = "x")
    {
        var full = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        return full;
    }

    [Fact]
    public void WrittenFilesGoInWithTheItemsMetadataAndLeftoversAreNamed()
    {
        var obj = Repo.NewTempDir("obj");
        var publish = Repo.NewTempDir("publish");
        var app = Write(publish, "App");                                   // the single-file bundle: no item lists it
        Write(publish, "wwwroot/css/site.css");
        Write(publish, "wwwroot/css/site.css.gz");
        Write(publish, "App.staticwebassets.endpoints.json");
        Write(publish, "Newtonsoft.Json.dll");
        Write(publish, "old/Stale.dll");                                  // an earlier publish's
        Write(publish, "zz-stale.txt");
        var items = new List<PublishFile>
        {
            new(Write(obj, "nuget/Newtonsoft.Json.dll"), "Newtonsoft.Json.dll", EntryOrigin.Package)
            { Asset = new PublishAsset("Newtonsoft.Json", "13.0.3", "runtime") },
            new(Write(obj, "App.pdb"), "App.pdb", EntryOrigin.App),          // listed, not copied: still goes in from obj/
        };
        string[] written =
        [
            app, Path.Combine(publish, "wwwroot/css/site.css"), Path.Combine(publish, "wwwroot", "css", "..", "css", "site.css.gz"),
            Path.Combine(publish, "App.staticwebassets.endpoints.json"),
            Path.Combine(obj, "App.dll"), "", // outside the folder, empty: ignored
        ];

        var contents = PublishFolder.Read(publish + "/", items, written);

        Assert.Equal(["App", "App.pdb", "App.staticwebassets.endpoints.json", "Newtonsoft.Json.dll", "wwwroot/css/site.css", "wwwroot/css/site.css.gz"],
            contents.Files.Select(f => f.RelativePath));
        var package = contents.Files.Single(f => f.RelativePath == "Newtonsoft.Json.dll");
        Assert.Equal(Path.Combine(publish, "Newtonsoft.Json.dll"), package.HostPath); // the copy that ships, not the cache's
        Assert.Equal(EntryOrigin.Package, package.Origin);
        Assert.Equal(new PublishAsset("Newtonsoft.Json", "13.0.3", "runtime"), package.Asset);
        Assert.Equal(Path.Combine(obj, "App.pdb"), contents.Files.Single(f => f.RelativePath == "App.pdb").HostPath);
        var bundle = contents.Files.Single(f => f.RelativePath == "App");
        Assert.Equal((EntryOrigin.App, null), (bundle.Origin, bundle.Asset));
        Assert.Equal(["old/Stale.dll", "zz-stale.txt"], contents.NotWritten);
    }

    [Fact]
    public void TheOrderOfItemsAndWritesDoesNotMatter()
    {
        var publish = Repo.NewTempDir("publish");
        var files = Enumerable.Range(0, 30).Select(i => Write(publish, $"d{i % 4}/f{i}.txt")).ToList();
        var items = files.Where((_, i) => i % 3 == 0).Select(f => new PublishFile(f, Path.GetRelativePath(publish, f), EntryOrigin.App)).ToList();
        var writes = files.Where((_, i) => i % 3 == 1).ToList();
        var a = PublishFolder.Read(publish, items, writes);
        var shuffled = new Random(7);
        var b = PublishFolder.Read(publish, items.OrderBy(_ => shuffled.Next()).ToList(), writes.OrderBy(_ => shuffled.Next()));
        Assert.Equal(a.Files.Select(f => f.RelativePath), b.Files.Select(f => f.RelativePath));
        Assert.Equal(a.NotWritten, b.NotWritten);
        Assert.Equal(20, a.Files.Count);
        Assert.Equal(10, a.NotWritten.Count);
        Assert.Equal(a.Files.Select(f => f.RelativePath).Order(StringComparer.Ordinal), a.Files.Select(f => f.RelativePath));
    }

    [Fact]
    public void LinksInThePublishFolderAreNeverFollowed()
    {
        var publish = Repo.NewTempDir("publish");
        var outside = Repo.NewTempDir("outside");
        var secret = Write(outside, "secret.txt", "secret");
        Write(outside, "deep/more.txt");
        var app = Write(publish, "App");
        File.CreateSymbolicLink(Path.Combine(publish, "secret.txt"), secret);
        Directory.CreateSymbolicLink(Path.Combine(publish, "linked"), outside);
        Directory.CreateSymbolicLink(Path.Combine(publish, "loop"), publish);

        var contents = PublishFolder.Read(publish, [], [app, Path.Combine(publish, "secret.txt"), Path.Combine(publish, "linked/deep/more.txt")]);

        Assert.Equal(["App"], contents.Files.Select(f => f.RelativePath));
        Assert.Empty(contents.NotWritten);
    }

    [Fact]
    public void TheArchiveAndItsTemporaryFolderInThePublishFolderAreSlimImagesOwn()
    {
        var publish = Repo.NewTempDir("publish");
        var app = Write(publish, "App");
        var archive = Write(publish, "app.tar");
        Write(publish, ".slimimage-0123456789ab/layer.tmp");
        var contents = PublishFolder.Read(publish, [], [app], [archive]);
        Assert.Equal(["App"], contents.Files.Select(f => f.RelativePath));
        Assert.Empty(contents.NotWritten);
    }

    [Fact]
    public void NoPublishFolderMeansOnlyTheItems()
    {
        var obj = Repo.NewTempDir("obj");
        var item = new PublishFile(Write(obj, "App"), "App", EntryOrigin.App);
        var contents = PublishFolder.Read(Path.Combine(obj, "missing"), [item], []);
        Assert.Equal([item], contents.Files);
    }

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("/etc/passwd")]
    [InlineData("wwwroot/../../x")]
    [InlineData("a//b")]
    [InlineData("./a")]
    [InlineData("dir/")]
    [InlineData("a\nb")]
    [InlineData("..\\..\\etc\\shadow")]
    public void AnItemPathOutsideThePublishFolderIsSlim1031(string relative)
    {
        var publish = Repo.NewTempDir("publish");
        var e = Assert.Throws<SlimException>(() =>
            PublishFolder.Read(publish, [new PublishFile("/src/app/evil.txt", relative, EntryOrigin.App)], []));
        Assert.Equal("SLIM1031", e.Code);
        Assert.Contains("'/src/app/evil.txt'", e.Message);
        Assert.Contains(relative, e.Message);
    }
}
