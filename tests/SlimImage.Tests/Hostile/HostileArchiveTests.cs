using SlimImage.Diagnostics;
using SlimImage.Tests.Base;
using SlimImage.Tests.Support;
using Xunit;

namespace SlimImage.Tests.Hostile;

/// <summary>
/// A base archive (built here with System.Formats.Tar) whose index, manifest or config names a digest that walks
/// out of SlimImage's folders. The whole pipeline runs on it: SLIM3507 naming document and field, nothing written
/// outside, no output left behind, and the next build with a sound archive is correct.
/// </summary>
public class HostileArchiveTests
{
    // The pipeline's scratch folder is out/.slimimage-…; base layers go to scratch/base-HEX.tar. From there,
    // "x/../../../sentinel/victim" is the test's sentinel folder: the old code wrote the archive's bytes to victim.tar.
    private const string Traversal = "sha256:x/../../../sentinel/victim";

    public static TheoryData<string, string> Fields => new()
    {
        { "index", "index.json, manifests[0].digest" },
        { "config", "config.digest" },
        { "layer", "layers[0].digest" },
        { "diff_id", "rootfs.diff_ids[0]" },
        { "upper-case layer", "layers[0].digest" },
    };

    [Theory]
    [MemberData(nameof(Fields))]
    public void ATraversalDigestIsSlim3507AndTouchesNothingOutside(string where, string field)
    {
        using var dir = new ScratchDir();
        var sentinel = new Sentinel(dir.Combine("sentinel"));
        var image = new HostileImage();
        var value = Traversal;
        switch (where)
        {
            case "index": image.ManifestDigest = Traversal; break;
            case "config": image.ConfigDigest = Traversal; break;
            case "layer": image.LayerDigest = Traversal; break;
            case "diff_id": image.DiffId = Traversal; break;
            default: image.LayerDigest = value = image.LayerDigest.ToUpperInvariant().Replace("SHA256:", "sha256:"); break;
        }
        var archive = dir.Combine("hostile.tar");
        image.WriteArchive(archive);

        var request = TestRequests.WholePipeline(dir, archive);
        var e = Assert.Throws<SlimException>(() => BasePipelineTests.Run(request));

        Assert.Equal("SLIM3507", e.Code);
        Assert.Contains(archive, e.Message);
        Assert.Contains(field, e.Message);
        Assert.Contains($"'{value}'", e.Message);
        sentinel.AssertUntouched();
        Assert.Empty(dir.AllFiles(dir.Combine("out"))); // no archive, no scratch folder left

        // The next build, on a sound base, is correct.
        var sound = dir.Combine("sound.tar");
        var good = new HostileImage("the sound base\n");
        good.WriteArchive(sound);
        var (result, _) = BasePipelineTests.Run(TestRequests.WholePipeline(dir, sound));
        var view = ArchiveValidator.Validate(result.ArchivePath!);
        Assert.Equal(good.LayerDigest, view.Layers[0].Digest);
        Assert.Equal("the sound base\n", System.Text.Encoding.UTF8.GetString(view.Layers[0].Find("/opt/greeting.txt")!.Content!));
        Assert.Equal(["app.tar"], dir.AllFiles(dir.Combine("out")).Select(Path.GetFileName));
        sentinel.AssertUntouched();
    }
}
