using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using SlimImage.Tests.Registry;
using SlimImage.Tests.Support;
using Xunit;

namespace SlimImage.Tests.EndToEnd;

/// <summary>
/// A multi-platform publish with everything beside the image turned on: each platform's image is smoke-run (arm64
/// through qemu), has its own SBOM (beside the archive, attached in the archive, pushed as a referrer of that
/// platform's manifest), and the size report has one section per platform, renders in Chromium and reaches the step
/// summary. A publish with nothing changed keeps all of it as it was.
/// </summary>
public class MultiPlatformSupplyChainTests
{
    private static string Sha(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    [Fact]
    public void EachPlatformIsSmokeRunHasItsSbomAndItsReportSection()
    {
        using var registry = LocalRegistry.Start();
        var project = TestProject.Create("MultiChain", Programs.Hello, properties: new Dictionary<string, string>
        {
            ["InvariantGlobalization"] = "true",
            ["SlimImage"] = "true",
            ["SlimImageRuntimeIdentifiers"] = "linux-x64;linux-arm64",
            ["SlimImageRepository"] = "e2e/chain",
            ["SlimImageSbom"] = "true",
            ["SlimImageReport"] = "true",
            ["SlimImageSmokeTest"] = "true",
            ["SlimImageSmokeTestArgs"] = "chain",
            ["SlimImageSmokeTestTimeout"] = "300",
        });
        var folder = Repo.NewTempDir("chain");
        var archive = Path.Combine(folder, "chain.tar");
        var summary = Path.Combine(folder, "summary.md");
        string[] args = ["-v:n", $"-p:SlimImageArchiveOutputPath={archive}", $"-p:GITHUB_STEP_SUMMARY={summary}",
            $"-p:SlimImageCacheDirectory={Repo.NewTempDir("cache")}"];

        var first = project.Publish([.. args, $"-p:SlimImageRegistry={registry.Host}"]).EnsureSuccess();
        // One smoke run per platform, each with the app's output in the log.
        Assert.Equal(2, Regex.Matches(first.Output, @"SLIM5010: \S+ \| hello user=app uid=1654 cwd=/app args=chain tmp=ok").Count);
        Assert.Matches(@"SLIM5012: Smoke run of \S+ passed in [0-9.]+ s \(namespaces\)", first.Output);
        Assert.Matches(@"SLIM5012: Smoke run of \S+ passed in [0-9.]+ s \(namespaces, qemu-aarch64-static\)", first.Output);

        var multi = MultiPlatformArchive.Read(archive);
        Assert.Equal(["linux/amd64", "linux/arm64/v8"], multi.Platforms.Select(p => p.Platform));
        // One SBOM per platform image, attached to that image, and the same bytes beside the archive.
        Assert.Equal(multi.Platforms.Select(p => p.ManifestDigest), multi.Referrers.Select(r => r.Subject));
        Assert.All(multi.Referrers, r => Assert.Equal("application/spdx+json", r.ArtifactType));
        foreach (var (rid, arch, referrer) in new[] { ("linux-x64", "amd64", multi.Referrers[0]), ("linux-arm64", "arm64", multi.Referrers[1]) })
        {
            var beside = archive + "." + rid + ".spdx.json";
            Assert.Equal(referrer.Content, File.ReadAllBytes(beside));
            var text = Encoding.UTF8.GetString(referrer.Content);
            Assert.Matches($@"pkg:deb/debian/libc6@[^""]+\?arch={arch}", Uri.UnescapeDataString(text));
            using var doc = JsonDocument.Parse(referrer.Content);
            Assert.Equal("SPDX-2.3", doc.RootElement.GetProperty("spdxVersion").GetString());
        }
        Assert.False(File.Exists(archive + ".spdx.json"), "a single-platform SBOM beside a multi-platform archive");
        // The archive is still read by an independent client, for either platform.
        foreach (var arch in new[] { "amd64", "arm64" })
        {
            var run = ImageRunner.Run(MultiPlatformArchive.Extract(archive, "latest", arch), ["multi"]);
            Assert.True(run.ExitCode == 0, arch + "\n" + run.Output);
        }

        // The report: one section per platform, each naming its own manifest; it renders; the summary has it once.
        var markdown = File.ReadAllText(archive + ".report.md");
        foreach (var platform in multi.Platforms)
        {
            Assert.Contains(platform.Platform, markdown);
            Assert.Contains(platform.ManifestDigest, markdown);
        }
        Assert.Contains(multi.Platforms[1].ManifestDigest, File.ReadAllText(archive + ".report.html"));
        Assert.Contains(SlimImage.Report.ReportText.Markdown("aarch64-linux-gnu/libc.so.6"), markdown);
        Assert.Contains(SlimImage.Report.ReportText.Markdown("x86_64-linux-gnu/libc.so.6"), markdown);
        ReportCheck.AssertRenders(archive + ".report.html");
        Assert.Equal(markdown + "\n", File.ReadAllText(summary));

        // Pushed: each platform's SBOM is a referrer of its manifest (the fallback tag: docker-registry has no referrers API).
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        foreach (var platform in multi.Platforms)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{registry.Host}/v2/e2e/chain/manifests/sha256-{platform.ManifestDigest[7..]}");
            request.Headers.Accept.ParseAdd("application/vnd.oci.image.index.v1+json");
            using var response = http.Send(request).EnsureSuccessStatusCode();
            using var fallback = JsonDocument.Parse(response.Content.ReadAsStream());
            var entry = Assert.Single(fallback.RootElement.GetProperty("manifests").EnumerateArray());
            Assert.Equal("application/spdx+json", entry.GetProperty("artifactType").GetString());
        }
        Assert.Equal(multi.IndexDigest, RegistryTestKit.TagDigest(registry.Host, "e2e/chain", "latest"));

        // Nothing changed: no image work, and the archive, the SBOMs and the report stay; the summary gets the report again.
        string[] kept = [archive, archive + ".linux-x64.spdx.json", archive + ".linux-arm64.spdx.json", archive + ".report.html", archive + ".report.md"];
        var before = kept.Select(Sha).ToList();
        var second = project.Publish(args).EnsureSuccess();
        Assert.Contains("SLIM5322", second.Output);
        Assert.DoesNotContain("SLIM5010", second.Output);
        Assert.Equal(before, kept.Select(Sha).ToList());
        Assert.Equal(markdown + "\n" + markdown + "\n", File.ReadAllText(summary));
        // A deleted SBOM beside the archive is written again.
        File.Delete(kept[2]);
        project.Publish(args).EnsureSuccess();
        Assert.Equal(before[2], Sha(kept[2]));
    }
}
