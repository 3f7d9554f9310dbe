using SlimImage.Tests.Support;
using Xunit;

namespace SlimImage.Tests.EndToEnd;

/// <summary>
/// One project published for two runtime identifiers at the same time: the archives do not collide, each holds
/// libraries of its own architecture (the arm64 ones from Debian's multiarch folder), and each runs — the arm64
/// one through qemu-user inside its own root, at build time too (SlimImageSmokeTest: qemu given the program's path,
/// so binfmt_misc plays no part).
/// </summary>
public class CrossArchitectureTests
{
    [Fact]
    public async Task X64AndArm64PublishedConcurrentlyBothRun()
    {
        var project = TestProject.Create("TwoArch", Programs.Hello,
            properties: new Dictionary<string, string>
            {
                ["InvariantGlobalization"] = "true",
                ["SlimImage"] = "true",
                ["RuntimeIdentifiers"] = "linux-x64;linux-arm64",
                ["SelfContained"] = "true",
            });
        // Restore once for both RIDs, so the two publishes below do not race on obj/project.assets.json.
        Repo.Run("dotnet", ["restore", project.ProjectPath, "-nodeReuse:false"], project.Directory, PackageFeed.DotnetEnvironment).EnsureSuccess();
        string[] smoke = ["-v:n", "-p:SlimImageSmokeTest=true", "-p:SlimImageSmokeTestArgs=arch", "-p:SlimImageSmokeTestTimeout=300"];
        var publishes = new[] { "linux-x64", "linux-arm64" }.Select(rid => Task.Run(() =>
            project.Publish(["-r", rid, "--no-restore", .. rid == "linux-arm64" ? smoke : []], null))).ToArray();
        var results = await Task.WhenAll(publishes);
        foreach (var result in results)
            result.EnsureSuccess();
        Assert.Matches(@"SLIM5010: twoarch:latest \| hello user=app uid=1654 cwd=/app args=arch tmp=ok", results[1].Output);
        Assert.Matches(@"SLIM5012: Smoke run of twoarch:latest passed in [0-9.]+ s \(namespaces, qemu-aarch64-static\)", results[1].Output);

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

        foreach (var archive in new[] { project.DefaultArchive("linux-x64"), project.DefaultArchive("linux-arm64") })
        {
            var run = ImageRunner.Run(archive, ["arch"]);
            Assert.True(run.ExitCode == 0, archive + "\n" + run.Output);
            Assert.Contains("hello user=app uid=1654 cwd=/app args=arch tmp=ok", run.Output);
        }
    }
}
