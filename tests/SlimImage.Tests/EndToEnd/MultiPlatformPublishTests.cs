using System.Security.Cryptography;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using SlimImage.Tests.Registry;
using SlimImage.Tests.Support;
using Xunit;

namespace SlimImage.Tests.EndToEnd;

/// <summary>
/// <c>SlimImageRuntimeIdentifiers=linux-x64;linux-arm64</c> through the packed SDK: one publish writes one archive of an
/// image index whose two images both run (arm64 through qemu) and pushes the index to a real registry; a publish with
/// nothing changed does no image work; a code change rewrites and uploads only the app layer, once for both platforms.
/// </summary>
public class MultiPlatformPublishTests
{
    private static string Sha(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    private static readonly XElement PrintPushed = new("Target", new XAttribute("Name", "PrintPushed"), new XAttribute("AfterTargets", "PublishSlimImage"),
        new XElement("Message", new XAttribute("Importance", "High"),
            new XAttribute("Text", "PUSHED %(SlimImagePushedImage.Identity) %(SlimImagePushedImage.ManifestDigest) platform=%(SlimImagePushedImage.Platform) rid=%(SlimImagePushedImage.RuntimeIdentifier)"),
            new XAttribute("Condition", "'@(SlimImagePushedImage)' != ''")));

    [Fact]
    public void OnePublishWritesAndPushesAnIndexOfTwoPlatformsAndRebuildsOnlyWhatChanged()
    {
        using var registry = LocalRegistry.Start();
        using var proxy = new RegistryProxy(registry.Host);
        var project = TestProject.Create("MultiHello", Programs.Hello, properties: new Dictionary<string, string>
        {
            ["InvariantGlobalization"] = "true",
            ["SlimImage"] = "true",
            ["SlimImageRuntimeIdentifiers"] = "linux-x64;linux-arm64",
            ["SlimImageRepository"] = "e2e/multi",
        }, targets: [PrintPushed]);
        var archive = Path.Combine(project.Directory, "out", "multi.tar");
        string[] archiveArgs = [$"-p:SlimImageArchiveOutputPath={archive}", "-p:SlimImageTags=\"1.0;latest\"", $"-p:SlimImageCacheDirectory={Repo.NewTempDir("cache")}"];
        string[] push = [$"-p:SlimImageRegistry={proxy.Host}"];

        var first = project.Publish([.. archiveArgs, .. push]).EnsureSuccess();
        var multi = MultiPlatformArchive.Read(archive);
        Assert.Equal(["linux/amd64", "linux/arm64/v8"], multi.Platforms.Select(p => p.Platform));
        Assert.Equal(["1.0", "latest"], multi.Tags);
        var (amd64, arm64) = (multi.Platforms[0], multi.Platforms[1]);
        // The app's IL layer is one blob for both; every blob is stored once (layers, two configs, two manifests, the index).
        Assert.Equal(amd64.Layers[^1], arm64.Layers[^1]);
        Assert.Equal(amd64.Layers.Concat(arm64.Layers).Distinct().Count() + 5, multi.Blobs.Count);
        Assert.Equal(amd64.Layers.Count - 1, amd64.Layers.Except(arm64.Layers).Count());
        // docker load reads manifest.json: the build machine's platform.
        Assert.Equal(amd64.Layers.Select(l => "blobs/sha256/" + l[7..]), multi.DockerManifest.GetProperty("Layers").EnumerateArray().Select(l => l.GetString()));
        foreach (var arch in new[] { "amd64", "arm64" })
        {
            var run = ImageRunner.Run(MultiPlatformArchive.Extract(archive, "latest", arch), ["multi"]);
            Assert.True(run.ExitCode == 0, arch + "\n" + run.Output);
            Assert.Contains("hello user=app uid=1654 cwd=/app args=multi tmp=ok", run.Output);
        }

        // The tags name the index, and moved only after both platform manifests were up.
        Assert.Equal(multi.IndexDigest, RegistryTestKit.TagDigest(registry.Host, "e2e/multi", "latest"));
        Assert.Equal(multi.IndexDigest, RegistryTestKit.TagDigest(registry.Host, "e2e/multi", "1.0"));
        var manifestPuts = proxy.Requests.Where(r => r.Method == "PUT" && r.Path.Contains("/manifests/")).Select(r => r.Path[(r.Path.LastIndexOf('/') + 1)..]).ToList();
        Assert.Equal([amd64.ManifestDigest, arm64.ManifestDigest, "1.0", "latest"], manifestPuts);
        var pushed = Regex.Matches(first.Output, @"PUSHED (\S+) (sha256:[0-9a-f]{64}) platform=(\S*) rid=(\S*)").Select(m => (m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Value, m.Groups[4].Value)).ToList();
        Assert.Equal([($"{proxy.Host}/e2e/multi:1.0", multi.IndexDigest, "", ""), ($"{proxy.Host}/e2e/multi:latest", multi.IndexDigest, "", ""),
            ($"{proxy.Host}/e2e/multi@{amd64.ManifestDigest}", amd64.ManifestDigest, "linux/amd64", "linux-x64"),
            ($"{proxy.Host}/e2e/multi@{arm64.ManifestDigest}", arm64.ManifestDigest, "linux/arm64/v8", "linux-arm64")], pushed);

        // Nothing changed: no image work for any platform, the archive stays as it was.
        var sha = Sha(archive);
        var second = project.Publish(archiveArgs).EnsureSuccess();
        Assert.Equal(2, Regex.Matches(second.Output, "SLIM1402").Count);
        Assert.Contains("SLIM5322", second.Output);
        Assert.DoesNotContain("SLIM3600", second.Output);
        Assert.Equal(sha, Sha(archive));
        // Written again from the platform images, it is the same bytes.
        File.Delete(archive);
        project.Publish(archiveArgs).EnsureSuccess();
        Assert.Equal(sha, Sha(archive));

        // A code change: only the two app layers of each platform are written (the apphost is copied again, so its layer is
        // written again, to the same blob); only the shared IL layer differs, and it and the two configs go up, nothing else.
        File.AppendAllText(Path.Combine(project.Directory, "Program.cs"), "\nConsole.WriteLine(\"second version\");\n");
        proxy.Clear();
        var changed = project.Publish([.. archiveArgs, .. push]).EnsureSuccess();
        Assert.Equal(2, Regex.Matches(changed.Output, @"SLIM3600: Layers: 2 written and 2 reused").Count);
        var after = MultiPlatformArchive.Read(archive);
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(multi.Platforms[i].Layers.SkipLast(1), after.Platforms[i].Layers.SkipLast(1));
            Assert.NotEqual(multi.Platforms[i].Layers[^1], after.Platforms[i].Layers[^1]);
        }
        var uploaded = proxy.Requests.Select(r => r.UploadedDigest).OfType<string>().Order().ToList();
        Assert.Equal(3, uploaded.Count);
        Assert.Contains(after.Platforms[0].Layers[^1], uploaded);
        Assert.Equal(after.IndexDigest, RegistryTestKit.TagDigest(registry.Host, "e2e/multi", "latest"));
        var run2 = ImageRunner.Run(MultiPlatformArchive.Extract(archive, "1.0", "arm64"));
        Assert.Contains("second version", run2.Output);
    }
}
