using System.Text.Json;
using SlimImage.Diagnostics;
using SlimImage.Pipeline;
using SlimImage.Registry;

using SlimImage.Tests.Support;
using Xunit;
using static SlimImage.Tests.Registry.RegistryTestKit;

namespace SlimImage.Tests.Registry;

/// <summary>
/// <c>PublishSlimImageIndex</c>'s core against a real registry, counted through a recording proxy: images pushed by
/// one job per architecture are joined into one index with no blob uploaded, and bad sources are named.
/// </summary>
public class IndexJoinTests
{
    private static IndexJoinRequest Request(string registry, string[] sources, ScratchDir dir, params string[] tags) => new()
    {
        Registry = registry,
        Repository = "slim/app",
        Tags = tags.Length > 0 ? tags : ["1"],
        Sources = sources,
        Registries = Settings(dir),
    };

    private static JsonElement Get(string registryHost, string repository, string reference)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{registryHost}/v2/{repository}/manifests/{reference}");
        request.Headers.Accept.ParseAdd("application/vnd.oci.image.index.v1+json");
        request.Headers.Accept.ParseAdd("application/vnd.oci.image.manifest.v1+json");
        using var response = http.Send(request).EnsureSuccessStatusCode();
        return JsonDocument.Parse(response.Content.ReadAsStream()).RootElement.Clone();
    }

    [Fact]
    public void TwoSinglePlatformPushesJoinIntoOneIndexWithNoBlobUploaded()
    {
        using var dir = new ScratchDir();
        using var registry = LocalRegistry.Start();
        using var proxy = new RegistryProxy(registry.Host);
        var amd64 = TestImages.Small(dir, "built on amd64");
        var arm64 = TestImages.Small(dir, "built on arm64", architecture: "arm64");
        // The arm64 job pushed into a repository of its own: its blobs are mounted, never uploaded.
        ImagePusher.Push(amd64, registry.Host, "slim/app", ["1-amd64"], Settings(dir), _ => { }, default);
        ImagePusher.Push(arm64, registry.Host, "slim/app-arm64", ["1"], Settings(dir), _ => { }, default);

        var reports = new Reports();
        var joined = IndexPipeline.Join(Request(proxy.Host, ["1-amd64", $"{proxy.Host}/slim/app-arm64:1"], dir, "1", "latest"), reports.Add, default);

        Assert.DoesNotContain(proxy.Requests, r => r.IsUploadStart || r.IsUploadData);
        // The system layer is the same in both and already in slim/app; the arm64 config and app layer are mounted.
        Assert.Equal(2, proxy.Requests.Count(r => r.IsMount && r.Status == 201));
        Assert.Equal(["linux/amd64", "linux/arm64"], joined.Images.Select(i => i.Platform));
        Assert.Equal([amd64.Manifest.Digest.ToString(), arm64.Manifest.Digest.ToString()], joined.Images.Select(i => i.ManifestDigest));
        Assert.Equal(["1-amd64", $"{proxy.Host}/slim/app-arm64:1"], joined.Images.Select(i => i.Source));
        Assert.Equal(joined.IndexDigest, TagDigest(registry.Host, "slim/app", "1"));
        Assert.Equal(joined.IndexDigest, TagDigest(registry.Host, "slim/app", "latest"));
        Assert.Contains(reports.Of("SLIM4101"), l => l.Contains($"{proxy.Host}/slim/app:latest") && l.Contains(joined.IndexDigest));
        var summary = Assert.Single(reports.Of("SLIM5310"));
        Assert.Contains("2 blob(s) mounted from other repositories, 1 already there, none uploaded", summary);

        var index = Get(registry.Host, "slim/app", "1");
        Assert.Equal("application/vnd.oci.image.index.v1+json", index.GetProperty("mediaType").GetString());
        var platforms = index.GetProperty("manifests").EnumerateArray()
            .Select(m => m.GetProperty("platform").GetProperty("os").GetString() + "/" + m.GetProperty("platform").GetProperty("architecture").GetString());
        Assert.Equal(["linux/amd64", "linux/arm64"], platforms);
        // An independent client resolves the index for each architecture, every digest checked on the way.
        foreach (var (arch, image) in new[] { ("amd64", amd64), ("arm64", arm64) })
        {
            var layout = Repo.NewTempDir("skopeo");
            Repo.Run("skopeo", ["copy", "--quiet", "--src-tls-verify=false", "--override-arch", arch, "--override-os", "linux",
                $"docker://{registry.Host}/slim/app:1", $"oci:{layout}:pulled"], timeoutSeconds: 120).EnsureSuccess();
            using var pulled = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(layout, "index.json")));
            Assert.Equal(image.Manifest.Digest.ToString(), pulled.RootElement.GetProperty("manifests")[0].GetProperty("digest").GetString());
        }

        // The same join again: the tags point to the index already, nothing is written.
        proxy.Clear();
        var again = IndexPipeline.Join(Request(proxy.Host, ["1-amd64", $"{proxy.Host}/slim/app-arm64:1"], dir, "1", "latest"), _ => { }, default);
        Assert.Equal(joined.IndexDigest, again.IndexDigest);
        Assert.DoesNotContain(proxy.Requests, r => r.Method is "PUT" or "POST" or "PATCH");

        // An index as a source contributes its images: the index of the index is the same index.
        var nested = IndexPipeline.Join(Request(proxy.Host, ["1"], dir, "nested"), _ => { }, default);
        Assert.Equal(joined.IndexDigest, nested.IndexDigest);
    }

    [Fact]
    public void BadSourcesAreNamedAndNoTagMoves()
    {
        using var dir = new ScratchDir();
        using var registry = LocalRegistry.Start();
        var first = TestImages.Small(dir, "first amd64 build");
        var second = TestImages.Small(dir, "second amd64 build");
        ImagePusher.Push(first, registry.Host, "slim/app", ["a"], Settings(dir), _ => { }, default);
        ImagePusher.Push(second, registry.Host, "slim/app", ["b"], Settings(dir), _ => { }, default);

        SlimException Join(params string[] sources) => Fails(() => IndexPipeline.Join(Request(registry.Host, sources, dir, "joined"), _ => { }, default));

        var twice = Join("a", $"@{second.Manifest.Digest}");
        Assert.Equal("SLIM5313", twice.Code);
        Assert.Contains("linux/amd64", twice.Text);
        Assert.Contains("'a'", twice.Text);
        Assert.Contains($"'@{second.Manifest.Digest}'", twice.Text);

        var missing = Join("a", "no-such-tag");
        Assert.Equal("SLIM5312", missing.Code);
        Assert.Contains("'no-such-tag'", missing.Text);
        var missingDigest = Join("@sha256:" + new string('0', 64));
        Assert.Equal("SLIM5312", missingDigest.Code);

        Assert.Equal("SLIM5316", Join("a", "registry.example.com/slim/app:b").Code);
        Assert.Equal("SLIM5311", Join("a", "not a tag!").Code);
        Assert.Equal("SLIM5317", Fails(() => IndexPipeline.Join(Request(registry.Host, [], dir), _ => { }, default)).Code);
        Assert.Null(TagDigest(registry.Host, "slim/app", "joined"));
    }
}
