using SlimImage.Registry;
using SlimImage.Tests.Support;
using Xunit;
using static SlimImage.Tests.Registry.RegistryTestKit;

namespace SlimImage.Tests.Registry;

/// <summary>The push protocol against a real registry (docker-registry), counted through a recording proxy.</summary>
public class RegistryPushTests
{
    [Fact]
    public void PushedImageComesBackIdenticalAndAnUnchangedSecondPushUploadsNothing()
    {
        using var dir = new ScratchDir();
        using var registry = LocalRegistry.Start();
        using var proxy = new RegistryProxy(registry.Host);
        var image = TestImages.Small(dir);
        var reports = new Reports();

        var result = ImagePusher.Push(image, proxy.Host, "slim/hello", ["1.0", "latest"], Settings(dir), reports.Add, default);

        Assert.Equal((3, 0, 0), (result.Uploaded, result.Mounted, result.Existing)); // config + 2 layers
        Assert.Equal(image.Manifest.Digest, result.ManifestDigest);
        Assert.Equal([$"{proxy.Host}/slim/hello:1.0", $"{proxy.Host}/slim/hello:latest"], result.Tags.Select(t => t.Reference));
        Assert.Equal($"{proxy.Host}/slim/hello@{image.Manifest.Digest}", result.Tags[0].DigestReference);
        Assert.Equal(3, proxy.Requests.Count(r => r.IsUploadStart));
        // One line per tag, with the reference and the digest.
        var lines = reports.Of("SLIM4101");
        Assert.Equal(2, lines.Count);
        Assert.All(lines, l => Assert.Contains(image.Manifest.Digest.ToString(), l));
        Assert.Contains(lines, l => l.Contains($"{proxy.Host}/slim/hello:1.0"));

        // skopeo, an independent client, pulls it back with every digest checked: same manifest, same blobs.
        foreach (var tag in new[] { "1.0", "latest" })
        {
            var (digest, layout) = SkopeoPull($"{registry.Host}/slim/hello:{tag}");
            Assert.Equal(image.Manifest.Digest.ToString(), digest);
            foreach (var layer in image.Layers)
                Assert.Equal(File.ReadAllBytes(layer.BlobPath), File.ReadAllBytes(Path.Combine(layout, "blobs", "sha256", layer.Digest.Hex)));
        }

        proxy.Clear();
        var again = ImagePusher.Push(image, proxy.Host, "slim/hello", ["1.0", "latest"], Settings(dir), reports.Add, default);
        Assert.Equal((0, 0, 3), (again.Uploaded, again.Mounted, again.Existing));
        Assert.DoesNotContain(proxy.Requests, r => r.IsUploadStart || r.IsUploadData || r.IsMount);
        // The tags already point to this manifest: nothing is written at all.
        Assert.DoesNotContain(proxy.Requests, r => r.Method == "PUT");
        Assert.All(proxy.Requests, r => Assert.True(r.Method is "HEAD", $"{r.Method} {r.Path}"));
    }

    [Fact]
    public void ChangedAppLayerUploadsOnlyThatLayerAndTheConfig()
    {
        using var dir = new ScratchDir();
        using var registry = LocalRegistry.Start();
        using var proxy = new RegistryProxy(registry.Host);
        var first = TestImages.Small(dir, "version 1");
        ImagePusher.Push(first, proxy.Host, "slim/app", ["latest"], Settings(dir), _ => { }, default);

        var second = TestImages.Small(dir, "version 2");
        Assert.Equal(first.Layers[0].Digest, second.Layers[0].Digest); // the system layer did not change
        proxy.Clear();
        var result = ImagePusher.Push(second, proxy.Host, "slim/app", ["latest"], Settings(dir), _ => { }, default);

        Assert.Equal((2, 1), (result.Uploaded, result.Existing));
        var uploaded = proxy.Requests.Select(r => r.UploadedDigest).OfType<string>().Order().ToList();
        Assert.Equal(new[] { second.Layers[1].Digest.ToString(), second.Config.Digest.ToString() }.Order(), uploaded);
        Assert.Equal(second.Manifest.Digest.ToString(), TagDigest(registry.Host, "slim/app", "latest"));
    }

    [Fact]
    public void LargeBlobGoesUpInChunksWithProgress()
    {
        using var dir = new ScratchDir();
        using var registry = LocalRegistry.Start();
        using var proxy = new RegistryProxy(registry.Host);
        var image = TestImages.Small(dir, noise: 300_000);
        var big = image.Layers[1];
        Assert.True(big.Size > 300_000);
        var options = Fast with { MonolithicLimit = 64 * 1024, ChunkSize = 64 * 1024, ProgressThreshold = 100_000, ProgressInterval = TimeSpan.Zero };
        var reports = new Reports();

        ImagePusher.Push(image, proxy.Host, "slim/big", ["1"], Settings(dir, options: options), reports.Add, default);

        var patches = proxy.Requests.Count(r => r.Method == "PATCH");
        Assert.Equal((int)((big.Size + options.ChunkSize - 1) / options.ChunkSize), patches);
        // The small blobs still go in one PUT each.
        Assert.Equal(3, proxy.Requests.Count(r => r.UploadedDigest != null));
        var progress = reports.Of("SLIM4100");
        Assert.Contains(progress, p => p.Contains("layer 2/2") && p.Contains(big.Digest.ToString()) && p.Contains("(100%)") && p.Contains("/s"));
        Assert.True(progress.Count >= 3, reports.Text);
        Assert.All(reports.All.Where(d => d.Code == "SLIM4100"), d => Assert.Equal(SlimImage.Diagnostics.SlimSeverity.Detail, d.Severity));
        Assert.Equal(image.Manifest.Digest.ToString(), SkopeoPull($"{registry.Host}/slim/big:1").ManifestDigest);
    }

    [Fact]
    public void BlobKnownInAnotherRepositoryIsMountedNotUploaded()
    {
        using var dir = new ScratchDir();
        using var registry = LocalRegistry.Start();
        using var proxy = new RegistryProxy(registry.Host);
        var image = TestImages.Small(dir);
        ImagePusher.Push(image, proxy.Host, "team/one", ["latest"], Settings(dir), _ => { }, default);
        proxy.Clear();

        var reports = new Reports();
        var result = ImagePusher.Push(image, proxy.Host, "team/two", ["latest"], Settings(dir), reports.Add, default);

        Assert.Equal((0, 3, 0), (result.Uploaded, result.Mounted, result.Existing));
        Assert.Equal(3, proxy.Requests.Count(r => r.IsMount && r.Status == 201));
        Assert.DoesNotContain(proxy.Requests, r => r.IsUploadData || r.IsUploadStart);
        Assert.Contains(reports.Of("SLIM4102"), m => m.Contains("mounted from 'team/one'"));
        Assert.Equal(image.Manifest.Digest.ToString(), SkopeoPull($"{registry.Host}/team/two:latest").ManifestDigest);
    }

    [Fact]
    public void ServerErrorsAndThrottlingAreRetried()
    {
        using var dir = new ScratchDir();
        using var registry = LocalRegistry.Start();
        using var proxy = new RegistryProxy(registry.Host);
        var failures = new Queue<int>([503, 429, 502]);
        proxy.Intercept = r =>
        {
            // The first HEAD, the first upload start and the first manifest PUT each fail once.
            var key = r.Method + (r.Path.Value!.Contains("/manifests/") ? "m" : "");
            lock (failures)
            {
                if (key is "HEAD" or "POST" or "PUTm" && failures.Count > 0 && !_seen.Contains(key))
                {
                    _seen.Add(key);
                    return failures.Dequeue();
                }
            }
            return null;
        };
        var image = TestImages.Small(dir);

        var result = ImagePusher.Push(image, proxy.Host, "slim/flaky", ["latest"], Settings(dir), _ => { }, default);

        Assert.Equal(3, result.Uploaded);
        Assert.Equal([503, 429, 502], proxy.Requests.Where(r => r.Status >= 429).Select(r => r.Status));
        Assert.Equal(image.Manifest.Digest.ToString(), TagDigest(registry.Host, "slim/flaky", "latest"));
    }

    private readonly HashSet<string> _seen = [];

    [Fact]
    public void ServerErrorThatPersistsIsSlim4006AfterTheBoundedTries()
    {
        using var dir = new ScratchDir();
        using var registry = LocalRegistry.Start();
        using var proxy = new RegistryProxy(registry.Host) { Intercept = r => r.Method == "POST" ? 500 : null };

        var e = Fails(() => ImagePusher.Push(TestImages.Small(dir), proxy.Host, "slim/broken", ["latest"], Settings(dir), _ => { }, default));

        Assert.Equal("SLIM4006", e.Code);
        Assert.Contains(proxy.Host, e.Message);
        Assert.Contains("slim/broken", e.Message);
        Assert.Contains("HTTP 500 after 3 tries", e.Message);
        Assert.Equal(Fast.MaxAttempts, proxy.Requests.Count(r => r.Method == "POST"));
        Assert.Null(TagDigest(registry.Host, "slim/broken", "latest"));
    }
}
