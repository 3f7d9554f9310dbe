using SlimImage.Diagnostics;
using SlimImage.Layers;
using SlimImage.Rootfs;
using Xunit;
using SlimImage.Tests.Support;
using SlimImage.Entries;

namespace SlimImage.Tests.Layers;

public class LayerSplitTests
{
    private static RootfsEntry File(string path, EntryOrigin origin) => RootfsEntry.Generated(path, [1]) with { Origin = origin };

    private static readonly RootfsPlan Plan = new(
    [
        // Given in no particular order: the split must not depend on it.
        File("/app/app.dll", EntryOrigin.App),
        File("/app/lib/Newtonsoft.Json.dll", EntryOrigin.Package),
        RootfsEntry.Dir("/app", 0b111_101_000),
        File("/etc/passwd", EntryOrigin.System),
        File("/app/System.Private.CoreLib.dll", EntryOrigin.Runtime),
        RootfsEntry.Dir("/tmp", 0b1_111_111_111),
        RootfsEntry.Dir("/home/app", 0b111_101_101, 1654, 1654),
    ], []);

    [Fact]
    public void LayersGoFromSlowestToFastestChangingWithPlannedParentFoldersInEach()
    {
        var layers = LayerSplit.Split(Plan, "hello");
        Assert.Equal(4, layers.Count);
        Assert.Equal(["/app", "/etc/passwd", "/home/app", "/tmp"], layers[0].Entries.Select(e => e.Path));
        Assert.Equal(["/app", "/app/System.Private.CoreLib.dll"], layers[1].Entries.Select(e => e.Path));
        // /app/lib is not in the plan: the layer writer adds it; /app is, so its mode travels with it.
        Assert.Equal(["/app", "/app/lib/Newtonsoft.Json.dll"], layers[2].Entries.Select(e => e.Path));
        Assert.Equal(["/app", "/app/app.dll"], layers[3].Entries.Select(e => e.Path));
        Assert.All(layers, l => Assert.Equal(0b111_101_000, l.Entries.First(e => e.Path == "/app").Mode));
        Assert.Equal("SlimImage: hello, app files", layers[3].CreatedBy);
        Assert.Equal(4, layers.Select(l => l.CreatedBy).Distinct().Count());
    }

    [Fact]
    public void EmptyLayersAreLeftOutAndSingleMakesOne()
    {
        var appOnly = new RootfsPlan(Plan.Entries.Where(e => e.Origin is EntryOrigin.App or EntryOrigin.System).ToList(), []);
        Assert.Equal(2, LayerSplit.Split(appOnly, "hello").Count);
        var single = Assert.Single(LayerSplit.Split(Plan, "hello", Layering.Single));
        Assert.Equal(Plan.Entries.Count, single.Entries.Count);
        Assert.Empty(LayerSplit.Split(new RootfsPlan([], []), "hello"));
    }

    [Fact]
    public void LayeringIsParsedAndAnUnknownValueIsSlim1300()
    {
        Assert.Equal(Layering.Split, LayerSplit.Parse(null));
        Assert.Equal(Layering.Split, LayerSplit.Parse(" Split "));
        Assert.Equal(Layering.Single, LayerSplit.Parse("single"));
        var e = Assert.Throws<SlimException>(() => LayerSplit.Parse("squash"));
        Assert.Equal("SLIM1300", e.Code);
        Assert.Contains("SlimImageLayering 'squash'", e.Message);
    }

    [Fact]
    public void SplitLayersAreWrittenReproduciblyAndSharedFoldersAreIdentical()
    {
        using var dir = new ScratchDir();
        var options = new LayerOptions(DateTimeOffset.UnixEpoch, dir.Path);
        var first = LayerSplit.Split(Plan, "hello").Select(l => LayerWriter.Write(l.Entries, options)).ToList();
        var again = LayerSplit.Split(new RootfsPlan(Plan.Entries.Reverse().ToList(), []), "hello").Select(l => LayerWriter.Write(l.Entries, options)).ToList();
        Assert.Equal(first.Select(b => b.Digest), again.Select(b => b.Digest));
        var appDirs = first.Select(b => LayerReader.Entries(b).Single(e => e.Name == "app/")).ToList();
        Assert.All(appDirs, d => Assert.Equal((int)appDirs[0].Mode, (int)d.Mode));
    }
}
