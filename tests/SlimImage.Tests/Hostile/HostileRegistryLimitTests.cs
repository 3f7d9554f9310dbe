using System.Diagnostics;
using SlimImage.Pipeline;
using SlimImage.Registry;
using SlimImage.Tests.Support;
using Xunit;
using static SlimImage.Tests.Registry.RegistryTestKit;
using SlimImage.Oci;

namespace SlimImage.Tests.Hostile;

/// <summary>
/// A registry that answers with huge, endless or stalled bodies: each is a SLIM error within seconds (one request
/// timeout at most), and the fake server's byte count shows the client stopped reading long before the end.
/// </summary>
public class HostileRegistryLimitTests
{
    private static readonly Platform Amd64 = Platform.FromRuntimeIdentifier("linux-x64");
    private const long Huge = 800L << 20;

    // Short request timeouts; a fast "slowest rate", so a 2 GB body gets about 2 s more, not hours.
    private static readonly RegistryOptions Short = Fast with { RequestTimeout = TimeSpan.FromSeconds(2), SlowestRate = 1L << 30 };

    // What the client read of all bodies: a body refused at 4 MB (or a layer at its size) may not be read much further.
    private const long ReadAtMost = 8L << 20;

    private static (Diagnostics.SlimException Error, TimeSpan Took, long Read) Pull(FakeRegistry registry, ScratchDir dir, RegistryOptions? options = null)
    {
        using var counting = new CountingHandler();
        var clock = Stopwatch.StartNew();
        var e = Fails(() => BasePuller.Pull(ImageReference.Parse($"{registry.Host}/hostile/base:1.0"), Amd64,
            Settings(dir, options: options ?? Short) with { Handler = counting }, _ => { }, default));
        return (e, clock.Elapsed, counting.BytesRead);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AHugeManifestIsSlim4018WithoutReadingIt(bool announced)
    {
        using var dir = new ScratchDir();
        using var registry = new FakeRegistry();
        registry.Hostile = async c =>
        {
            if (!c.Request.Path.Value!.Contains("/manifests/")) return false;
            await registry.StreamAsync(c, Huge, announced);
            return true;
        };

        var (e, took, read) = Pull(registry, dir);

        Assert.Equal("SLIM4018", e.Code);
        Assert.Contains("a manifest", e.Message);
        Assert.Contains(announced ? "of 800.0 MB" : "of more than 4.0 MB", e.Message);
        Assert.Contains("'hostile/base'", e.Message);
        Assert.True(took < TimeSpan.FromSeconds(10), $"took {took}");
        Assert.True(read < ReadAtMost, $"the client read {read} bytes");
        Assert.Single(registry.Requests, r => r.Contains("/manifests/")); // refused, not tried again
    }

    [Fact]
    public void AConfigOver4MBIsRefusedBeforeItIsFetched()
    {
        using var dir = new ScratchDir();
        using var registry = new FakeRegistry();
        registry.Image.ConfigSize = 5L << 20;
        var (e, _, read) = Pull(registry, dir);
        Assert.Equal("SLIM4018", e.Code);
        Assert.Contains("a config of 5.0 MB", e.Message);
        Assert.DoesNotContain(registry.Requests, r => r.Contains("/blobs/"));
        Assert.Equal(registry.Image.Manifest.Length, read);
    }

    [Fact]
    public void AManifestThatAnnounces2GBAndStallsIsRefusedAtOnce()
    {
        using var dir = new ScratchDir();
        using var registry = new FakeRegistry();
        registry.Hostile = async c =>
        {
            await registry.StallAsync(c, 2L << 30);
            return true;
        };
        var (e, took, read) = Pull(registry, dir);
        Assert.Equal("SLIM4018", e.Code);
        Assert.Contains("of 2048.0 MB", e.Message);
        Assert.True(took < TimeSpan.FromSeconds(10), $"took {took}");
    }

    [Fact]
    public void AStalledBodyTimesOutWithinOneRequestTimeoutAndIsNotTriedAgain()
    {
        using var dir = new ScratchDir();
        using var registry = new FakeRegistry();
        // A small manifest that stops after its first bytes.
        registry.Hostile = async c =>
        {
            await registry.StallAsync(c, 1000);
            return true;
        };
        var (e, took, read) = Pull(registry, dir);
        Assert.Equal("SLIM4015", e.Code); // a registry that cannot be reached and nothing cached: SLIM4005 inside
        Assert.Contains("did not answer within 2 s", e.Message); // 2 s + 4 MB at 1 GB/s
        Assert.Contains("tried 1 time(s)", e.Message);
        Assert.True(took < TimeSpan.FromSeconds(12), $"took {took}");
        Assert.Single(registry.Requests);
    }

    [Fact]
    public void ALayerThatAnnounces2GBAndStallsTimesOutWithinOneRequestTimeout()
    {
        using var dir = new ScratchDir();
        using var registry = new FakeRegistry();
        registry.Image.LayerSize = 2L << 30;
        registry.Hostile = async c =>
        {
            if (!c.Request.Path.Value!.EndsWith(registry.Image.LayerDigest, StringComparison.Ordinal)) return false;
            await registry.StallAsync(c, 2L << 30);
            return true;
        };
        var (e, took, read) = Pull(registry, dir);
        Assert.Equal("SLIM4005", e.Code);
        Assert.Contains("tried 1 time(s)", e.Message);
        Assert.True(took < TimeSpan.FromSeconds(10), $"took {took}"); // one timeout: 2 s + 2 GB at 1 GB/s
        Assert.Single(registry.Requests, r => r.Contains("/blobs/" + registry.Image.LayerDigest));
        Assert.DoesNotContain(dir.AllFiles(dir.Combine("cache", "blobs")), f => f.Contains(registry.Image.LayerDigest[7..]));
    }

    [Fact]
    public void ALayerLongerThanItsDescriptorIsCutOffAndNothingIsKept()
    {
        using var dir = new ScratchDir();
        using var registry = new FakeRegistry();
        registry.Hostile = async c =>
        {
            if (!c.Request.Path.Value!.EndsWith(registry.Image.LayerDigest, StringComparison.Ordinal)) return false;
            await registry.StreamAsync(c, Huge, announce: false);
            return true;
        };
        var (e, _, read) = Pull(registry, dir);
        Assert.Equal("SLIM4009", e.Code);
        Assert.Contains($"more than {registry.Image.Layer.Length} bytes", e.Message);
        Assert.True(read < ReadAtMost, $"the client read {read} bytes");
        Assert.DoesNotContain(dir.AllFiles(dir.Combine("cache", "blobs")), f => f.Contains(registry.Image.LayerDigest[7..]));
    }

    [Theory]
    [InlineData(404)]
    [InlineData(500)]
    public void AHugeErrorBodyIsSlim4018(int status)
    {
        using var dir = new ScratchDir();
        using var registry = new FakeRegistry();
        registry.Hostile = async c =>
        {
            await registry.StreamAsync(c, Huge, announce: false, status);
            return true;
        };
        var (e, took, read) = Pull(registry, dir);
        Assert.Equal("SLIM4018", e.Code);
        Assert.Contains("an error message", e.Message);
        Assert.True(took < TimeSpan.FromSeconds(10), $"took {took}");
        Assert.True(read < ReadAtMost, $"the client read {read} bytes");
    }

    [Fact]
    public void AHugeTokenAnswerIsSlim4018()
    {
        using var dir = new ScratchDir();
        using var registry = new FakeRegistry();
        registry.Hostile = async c =>
        {
            if (c.Request.Path.Value == "/token")
            {
                await registry.StreamAsync(c, Huge, announce: false);
                return true;
            }
            c.Response.StatusCode = 401;
            c.Response.Headers.WWWAuthenticate = $"Bearer realm=\"http://{registry.Host}/token\",service=\"fake\"";
            return true;
        };
        var (e, took, read) = Pull(registry, dir);
        Assert.Equal("SLIM4018", e.Code);
        Assert.Contains("a token answer", e.Message);
        Assert.True(took < TimeSpan.FromSeconds(10), $"took {took}");
        Assert.True(read < ReadAtMost, $"the client read {read} bytes");
    }

    [Fact]
    public void APullThatNeverEndsStopsAtItsTotalTimeLimit()
    {
        using var dir = new ScratchDir();
        using var registry = new FakeRegistry();
        // Always busy, asking to come back in a second: without a total limit, tries would go on and on.
        registry.Hostile = c =>
        {
            c.Response.StatusCode = 503;
            c.Response.Headers.RetryAfter = "1";
            return Task.FromResult(true);
        };
        var options = Short with { MaxAttempts = 1000, MaxRetryDelay = TimeSpan.FromSeconds(1), TotalTimeout = TimeSpan.FromSeconds(3) };
        var (e, took, read) = Pull(registry, dir, options);
        Assert.Equal("SLIM4019", e.Code);
        Assert.Contains("pull", e.Message);
        Assert.Contains("within 3 s", e.Message);
        Assert.InRange(took, TimeSpan.FromSeconds(2.5), TimeSpan.FromSeconds(8));
    }
}
