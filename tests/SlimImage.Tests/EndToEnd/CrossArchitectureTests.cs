using System.Text.RegularExpressions;
using System.Xml.Linq;
using SlimImage.Tests.Registry;
using SlimImage.Tests.Support;
using Xunit;

namespace SlimImage.Tests.EndToEnd;

/// <summary>
/// One project published for two runtime identifiers at the same time, as two CI jobs of one architecture each would:
/// the archives do not collide, each holds libraries of its own architecture (the arm64 ones from Debian's multiarch
/// folder), and each runs — the arm64 one through qemu-user inside its own root, at build time too (SlimImageSmokeTest:
/// qemu given the program's path, so binfmt_misc plays no part). Both are pushed, the arm64 one into a repository of
/// its own, and <c>-t:PublishSlimImageIndex</c> joins them into one index with no blob uploaded.
/// </summary>
public class CrossArchitectureTests
{
    [Fact]
    public async Task X64AndArm64PublishedConcurrentlyBothRunAndJoinIntoAnIndex()
    {
        using var registry = LocalRegistry.Start();
        using var proxy = new RegistryProxy(registry.Host);
        var project = TestProject.Create("TwoArch", Programs.Hello,
            properties: new Dictionary<string, string>
            {
                ["InvariantGlobalization"] = "true",
                ["SlimImage"] = "true",
                ["RuntimeIdentifiers"] = "linux-x64;linux-arm64",
                // The project's platforms, as the join job will list them: each job's app layer is then the same blob.
                ["SlimImageRuntimeIdentifiers"] = "linux-x64;linux-arm64",
                ["SelfContained"] = "true",
            },
            targets: [new XElement("Target", new XAttribute("Name", "PrintPushed"), new XAttribute("AfterTargets", "PublishSlimImageIndex"),
                new XElement("Message", new XAttribute("Importance", "High"),
                    new XAttribute("Text", "PUSHED %(SlimImagePushedImage.Identity) %(SlimImagePushedImage.ManifestDigest) platform=%(SlimImagePushedImage.Platform)")))]);
        var cache = Repo.NewTempDir("cache");
        // Restore once for both RIDs, so the two publishes below do not race on obj/project.assets.json.
        Repo.Run("dotnet", ["restore", project.ProjectPath, "-nodeReuse:false"], project.Directory, PackageFeed.DotnetEnvironment).EnsureSuccess();
        string[] smoke = ["-v:n", "-p:SlimImageSmokeTest=true", "-p:SlimImageSmokeTestArgs=arch", "-p:SlimImageSmokeTestTimeout=300"];
        var jobs = new[] { ("linux-x64", "e2e/twoarch", "1-amd64"), ("linux-arm64", "e2e/twoarch-arm64", "1") };
        var publishes = jobs.Select(job => Task.Run(() => project.Publish(["-r", job.Item1, "--no-restore", $"-p:SlimImageRegistry={proxy.Host}",
            $"-p:SlimImageRepository={job.Item2}", $"-p:SlimImageTags={job.Item3}", $"-p:SlimImageCacheDirectory={cache}",
            $"-p:SlimImageArchiveOutputPath={project.DefaultArchive(job.Item1)}", .. job.Item1 == "linux-arm64" ? smoke : []], null))).ToArray();
        var results = await Task.WhenAll(publishes);
        foreach (var result in results)
            result.EnsureSuccess();
        Assert.Matches(@"SLIM5010: \S+ \| hello user=app uid=1654 cwd=/app args=arch tmp=ok", results[1].Output);
        Assert.Matches(@"SLIM5012: Smoke run of \S+ passed in [0-9.]+ s \(namespaces, qemu-aarch64-static\)", results[1].Output);

        var x64 = ArchiveValidator.Validate(project.DefaultArchive("linux-x64"));
        var arm64 = ArchiveValidator.Validate(project.DefaultArchive("linux-arm64"));
        Assert.Equal("amd64", x64.Config.GetProperty("architecture").GetString());
        Assert.Equal("arm64", arm64.Config.GetProperty("architecture").GetString());
        Assert.Contains(arm64.Files.Keys, p => p.StartsWith("/usr/lib/aarch64-linux-gnu/libc.so.6"));
        Assert.DoesNotContain(arm64.Files.Keys, p => p.Contains("x86_64"));
        Assert.DoesNotContain(x64.Files.Keys, p => p.Contains("aarch64"));
        // The scanners' package list names each image's own architecture: libc6 is installed for both here.
        Assert.Contains("Architecture: arm64\n", System.Text.Encoding.UTF8.GetString(arm64.Files["/var/lib/dpkg/status.d/libc6"].Content!));
        Assert.Contains("Architecture: amd64\n", System.Text.Encoding.UTF8.GetString(x64.Files["/var/lib/dpkg/status.d/libc6"].Content!));
        // Built on two runners, the app's IL layer is still one blob.
        Assert.Equal(x64.Layers[^1].Digest, arm64.Layers[^1].Digest);
        Assert.NotEqual(x64.Layers[^2].Digest, arm64.Layers[^2].Digest);

        foreach (var archive in new[] { project.DefaultArchive("linux-x64"), project.DefaultArchive("linux-arm64") })
        {
            var run = ImageRunner.Run(archive, ["arch"]);
            Assert.True(run.ExitCode == 0, archive + "\n" + run.Output);
            Assert.Contains("hello user=app uid=1654 cwd=/app args=arch tmp=ok", run.Output);
        }

        // The join job: no publish, no image bytes, no blob upload.
        proxy.Clear();
        var join = Repo.Run("dotnet", ["msbuild", project.ProjectPath, "-restore", "-nodeReuse:false", "-t:PublishSlimImageIndex",
            $"-p:SlimImageRegistry={proxy.Host}", "-p:SlimImageRepository=e2e/twoarch", "-p:SlimImageTags=\"1;latest\"", $"-p:SlimImageCacheDirectory={cache}",
            $"-p:SlimImageIndexSources=\"1-amd64;{proxy.Host}/e2e/twoarch-arm64:1\""], project.Directory, PackageFeed.DotnetEnvironment).EnsureSuccess();
        Assert.DoesNotContain(proxy.Requests, r => r.IsUploadStart || r.IsUploadData);
        Assert.Equal(arm64.Layers.Count, proxy.Requests.Count(r => r.IsMount && r.Status == 201)); // the config and the arm64-only layers
        var index = RegistryTestKit.TagDigest(registry.Host, "e2e/twoarch", "latest");
        Assert.Equal(index, RegistryTestKit.TagDigest(registry.Host, "e2e/twoarch", "1"));
        var pushed = Regex.Matches(join.Output, @"PUSHED (\S+) (sha256:[0-9a-f]{64}) platform=(\S*)").Select(m => (m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Value)).ToList();
        Assert.Equal([($"{proxy.Host}/e2e/twoarch:1", index!, ""), ($"{proxy.Host}/e2e/twoarch:latest", index!, ""),
            ($"{proxy.Host}/e2e/twoarch@{x64.ManifestDigest}", x64.ManifestDigest, "linux/amd64"),
            ($"{proxy.Host}/e2e/twoarch@{arm64.ManifestDigest}", arm64.ManifestDigest, "linux/arm64/v8")], pushed);

        // Pulled through the index for arm64 by an independent client, it runs.
        var pulled = Path.Combine(Repo.NewTempDir("pulled"), "arm64.tar");
        Repo.Run("skopeo", ["copy", "--quiet", "--src-tls-verify=false", "--override-os", "linux", "--override-arch", "arm64",
            $"docker://{registry.Host}/e2e/twoarch:1", "oci-archive:" + pulled], timeoutSeconds: 180).EnsureSuccess();
        var fromIndex = ImageRunner.Run(pulled, ["joined"]);
        Assert.True(fromIndex.ExitCode == 0, fromIndex.Output);
        Assert.Contains("hello user=app uid=1654 cwd=/app args=joined tmp=ok", fromIndex.Output);
    }
}
