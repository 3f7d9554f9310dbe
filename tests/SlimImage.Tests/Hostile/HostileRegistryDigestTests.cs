using SlimImage.Pipeline;
using SlimImage.Registry;
using SlimImage.Tests.Support;
using Xunit;
using static SlimImage.Tests.Registry.RegistryTestKit;
using SlimImage.Oci;

namespace SlimImage.Tests.Hostile;

/// <summary>
/// A registry on loopback serving digests that walk out of the blob cache (cache/blobs/sha256/HEX): the old code
/// read, then deleted as "damaged", whatever file they reached. Each is SLIM4017 naming document and field; no
/// file outside the cache is created, changed or removed; the next pull of a sound image is right.
/// </summary>
public class HostileRegistryDigestTests
{
    private static readonly Platform Amd64 = Platform.FromRuntimeIdentifier("linux-x64");

    // From cache/blobs/sha256/ three levels up is the test folder, where the sentinel is.
    private const string Traversal = "sha256:../../../sentinel/victim";

    public static TheoryData<string, string> Fields => new()
    {
        { "config", "config.digest" },
        { "layer", "layers[0].digest" },
        { "diff_id", "rootfs.diff_ids[0]" },
        { "index", "manifests[0].digest" },
    };

    [Theory]
    [MemberData(nameof(Fields))]
    public void ATraversalDigestIsSlim4017AndTouchesNothingOutsideTheCache(string where, string field)
    {
        using var dir = new ScratchDir();
        var sentinel = new Sentinel(dir.Combine("sentinel"));
        using var registry = new FakeRegistry { ServeIndex = where == "index" };
        var image = registry.Image;
        // A size equal to the victim's, so that the old cache "found" it, hashed it and deleted it.
        var victimSize = new FileInfo(sentinel.PathOf("victim")).Length;
        switch (where)
        {
            case "config": image.ConfigDigest = Traversal; break;
            case "layer": image.LayerDigest = Traversal; image.LayerSize = victimSize; break;
            case "diff_id": image.DiffId = Traversal; break;
            case "index": image.ManifestDigest = Traversal; break;
        }
        var settings = Settings(dir);
        var reference = ImageReference.Parse($"{registry.Host}/hostile/base:1.0");

        var e = Fails(() => BasePuller.Pull(reference, Amd64, settings, _ => { }, default));

        Assert.Equal("SLIM4017", e.Code);
        Assert.Contains($"'{registry.Host}'", e.Message);
        Assert.Contains("'hostile/base'", e.Message);
        Assert.Contains(field, e.Message);
        Assert.Contains($"'{Traversal}'", e.Message);
        sentinel.AssertUntouched();
        Assert.DoesNotContain(registry.Requests, r => r.Contains("/blobs/sha256:..", StringComparison.Ordinal) || r.Contains("sentinel"));
        Assert.All(dir.AllFiles(settings.CacheDirectory), f => Assert.DoesNotContain(".tmp", f));

        // The next pull, of a sound image from the same registry into the same cache, is right.
        registry.Image = new HostileImage("sound\n");
        var pulled = BasePuller.Pull(reference, Amd64, settings, _ => { }, default);
        Assert.Equal(registry.Image.LayerDigest, pulled.Layers[0].Descriptor.Digest.ToString());
        Assert.Equal(registry.Image.Layer, File.ReadAllBytes(pulled.Layers[0].CachePath));
        Assert.StartsWith(settings.CacheDirectory, pulled.Layers[0].CachePath);
        sentinel.AssertUntouched();
    }

    [Fact]
    public void APushToARegistryAnsweringABadDockerContentDigestIsSlim4017()
    {
        using var dir = new ScratchDir();
        var sentinel = new Sentinel(dir.Combine("sentinel"));
        using var registry = new FakeRegistry();
        registry.Hostile = c =>
        {
            if (c.Request.Method != "HEAD") return Task.FromResult(false);
            // Every blob is "there"; the tag points to a digest that walks out.
            if (c.Request.Path.Value!.Contains("/manifests/")) c.Response.Headers["Docker-Content-Digest"] = Traversal;
            c.Response.StatusCode = 200;
            return Task.FromResult(true);
        };

        var e = Fails(() => ImagePusher.Push(TestImages.Small(dir), registry.Host, "slim/app", ["latest"], Settings(dir), _ => { }, default));

        Assert.Equal("SLIM4017", e.Code);
        Assert.Contains("Docker-Content-Digest", e.Message);
        Assert.Contains(Traversal, e.Message);
        Assert.DoesNotContain(registry.Requests, r => r.StartsWith("PUT", StringComparison.Ordinal));
        sentinel.AssertUntouched();
    }
}
