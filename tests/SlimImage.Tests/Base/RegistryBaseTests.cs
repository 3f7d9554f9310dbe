using System.Text;
using SlimImage.Diagnostics;
using SlimImage.Tests.Registry;
using SlimImage.Tests.Support;
using Xunit;
using SlimImage.Oci;

namespace SlimImage.Tests.Base;

/// <summary>
/// SlimImageBase as an image reference: the base is pulled from a real registry on loopback into the blob cache,
/// reused byte for byte under SlimImage's layers, and works again with the registry stopped.
/// </summary>
public class RegistryBaseTests
{
    [Fact]
    public void ABasePulledFromARegistryIsReusedAndWorksOffline()
    {
        using var dir = new ScratchDir();
        using var registry = LocalRegistry.Start();
        var testBase = TestBase.Build(dir.Combine("base"), withLibstdcxx: true);
        Repo.Run("skopeo", ["copy", "--quiet", "--dest-tls-verify=false", "oci-archive:" + testBase.OciArchive,
            $"docker://{registry.Host}/team/base:1"]).EnsureSuccess();
        var settings = RegistryTestKit.Settings(dir);
        using var inspected = System.Text.Json.JsonDocument.Parse(Repo.Run("skopeo", ["inspect", "oci-archive:" + testBase.OciArchive]).EnsureSuccess().Output);
        var baseDigest = inspected.RootElement.GetProperty("Digest").GetString();

        string? firstDigest = null;
        foreach (var online in new[] { true, false })
        {
            if (!online) registry.Stop();
            using var scratch = new ScratchDir();
            var request = TestRequests.WholePipeline(scratch, $"{registry.Host}/team/base:1", linkLibstdcxx: true) with { Registries = settings };
            var (result, messages) = BasePipelineTests.Run(request);
            var view = ArchiveValidator.Validate(result.ArchivePath!);
            Assert.Equal(testBase.DiffIds, view.Layers.Take(3).Select(l => l.DiffId));
            Assert.Equal(testBase.LayerDigests, view.Layers.Take(3).Select(l => l.Digest));
            Assert.Contains("GREETING=hello-from-base", view.Env);
            // The base as named, pinned by the platform manifest's digest (skopeo pushed the archive's manifest as it is).
            var labels = view.RuntimeConfig.GetProperty("Labels");
            Assert.Equal($"{registry.Host}/team/base:1", labels.GetProperty("org.opencontainers.image.base.name").GetString());
            Assert.Equal(baseDigest, labels.GetProperty("org.opencontainers.image.base.digest").GetString());
            Assert.Contains(messages, m => m.Code == "SLIM3506" && m.Message.Contains("libstdc++.so.6"));
            if (!online) Assert.Contains(messages, m => m.Code == "SLIM4106"); // said that the cached base was used
            firstDigest ??= view.ManifestDigest;
            Assert.Equal(firstDigest, view.ManifestDigest); // offline gives the very same image

            var run = ImageRunner.Run(result.ArchivePath!, ["x"]);
            Assert.True(run.ExitCode == 0, run.Output);
            Assert.Contains("app ran args=1", run.Output);
            Assert.Equal(TestBase.Greeting, File.ReadAllText(Path.Combine(run.RootFs, "opt/greeting.txt")));
        }
    }

    [Theory]
    [InlineData("missing-base.tar")]
    [InlineData("./images/base")]
    [InlineData("/no/such/base.tar")]
    public void AMissingBaseFileIsSlim1003NotAPull(string value)
    {
        using var dir = new ScratchDir();
        var e = Assert.Throws<SlimException>(() => BasePipelineTests.Run(TestRequests.WholePipeline(dir, value)));
        Assert.Equal("SLIM1003", e.Code);
        Assert.Contains(value, e.Message);
    }
}
