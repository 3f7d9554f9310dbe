using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SlimImage.Output;
using SlimImage.Registry;
using SlimImage.Tests.Support;
using Xunit;
using static SlimImage.Tests.Registry.RegistryTestKit;
using SlimImage.Oci;

namespace SlimImage.Tests.Registry;

/// <summary>Pulling a base: pushed with skopeo (not with SlimImage), pulled by tag and digest, then offline.</summary>
public class BasePullTests
{
    private static readonly Platform Amd64 = Platform.FromRuntimeIdentifier("linux-x64");
    private static readonly Platform Arm64 = Platform.FromRuntimeIdentifier("linux-arm64");

    /// <summary>skopeo copies an image archive written by the test into the registry.</summary>
    private static void SkopeoPush(ScratchDir dir, BuiltImage image, string reference)
    {
        var archive = dir.Combine("push-" + Guid.NewGuid().ToString("N")[..6] + ".tar");
        ImageArchive.Write(archive, image, "base", ["1"], TestImages.Timestamp);
        Repo.Run("skopeo", ["copy", "--quiet", "--dest-tls-verify=false", "oci-archive:" + archive, "docker://" + reference]).EnsureSuccess();
    }

    [Fact]
    public void BasePulledByTagIsVerifiedCachedAndWorksAgainWithTheRegistryStopped()
    {
        using var dir = new ScratchDir();
        using var registry = LocalRegistry.Start();
        var image = TestImages.Small(dir, "base content", noise: 50_000);
        SkopeoPush(dir, image, $"{registry.Host}/bases/small:1.0");
        var settings = Settings(dir);
        var reports = new Reports();

        var pulled = BasePuller.Pull(ImageReference.Parse($"{registry.Host}/bases/small:1.0"), Amd64, settings, reports.Add, default);

        Assert.False(pulled.FromCacheOnly);
        Assert.Equal(image.Manifest.Digest, pulled.ManifestDigest);
        Assert.Equal(image.ManifestBytes.ToArray(), pulled.ManifestBytes);
        Assert.Equal(image.ConfigBytes.ToArray(), pulled.ConfigBytes);
        Assert.Equal(image.Layers.Select(l => l.Descriptor), pulled.Layers.Select(l => l.Descriptor));
        Assert.Equal(image.Layers.Select(l => l.DiffId), pulled.Layers.Select(l => l.DiffId));
        Assert.Equal(image.Layers.Select(l => (long?)l.UncompressedSize), pulled.Layers.Select(l => l.UncompressedSize));
        foreach (var layer in pulled.Layers)
        {
            Assert.StartsWith(settings.CacheDirectory, layer.CachePath);
            Assert.Equal(layer.Descriptor.Digest.Hex, Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(layer.CachePath))));
        }
        Assert.Contains(reports.Of("SLIM4104"), m => m.Contains($"{registry.Host}/bases/small@{image.Manifest.Digest}") && m.Contains("downloaded"));

        registry.Stop();
        var offline = BasePuller.Pull(ImageReference.Parse($"{registry.Host}/bases/small:1.0"), Amd64, settings, reports.Add, default);
        Assert.True(offline.FromCacheOnly);
        Assert.Equal(pulled.Layers, offline.Layers);
        Assert.Equal(pulled.ConfigBytes, offline.ConfigBytes);
        Assert.Contains(reports.Of("SLIM4106"), m => m.Contains("bases/small:1.0") && m.Contains(image.Manifest.Digest.ToString()));

        var pinned = BasePuller.Pull(ImageReference.Parse($"{registry.Host}/bases/small@{image.Manifest.Digest}"), Amd64, settings, reports.Add, default);
        Assert.True(pinned.FromCacheOnly);
        Assert.Equal(pulled.Layers, pinned.Layers);

        // A damaged cache is noticed; with no registry to fetch it again that is SLIM4015, naming the cache.
        File.WriteAllText(pulled.Layers[1].CachePath, "damaged");
        var e = Fails(() => BasePuller.Pull(ImageReference.Parse($"{registry.Host}/bases/small:1.0"), Amd64, settings, _ => { }, default));
        Assert.Equal("SLIM4015", e.Code);
        Assert.Contains(settings.CacheDirectory, e.Message);
        Assert.Contains("SlimImageRegistry", e.Message); // the reason: the registry cannot be reached

        // With the registry back, the damaged blob is fetched again.
        registry.StartProcess();
        var repaired = BasePuller.Pull(ImageReference.Parse($"{registry.Host}/bases/small:1.0"), Amd64, settings, _ => { }, default);
        Assert.Equal(pulled.Layers, repaired.Layers);
        Assert.Equal(image.Layers[1].Size, new FileInfo(repaired.Layers[1].CachePath).Length);
    }

    [Fact]
    public void MultiPlatformIndexGivesTheImageOfTheRid()
    {
        using var dir = new ScratchDir();
        using var registry = LocalRegistry.Start();
        var amd = TestImages.Small(dir, "for amd64");
        var arm = TestImages.Small(dir, "for arm64", architecture: "arm64");
        var layout = MultiPlatformLayout(dir, (amd, "amd64", null), (arm, "arm64", "v8"));
        Repo.Run("skopeo", ["copy", "--quiet", "--all", "--dest-tls-verify=false", $"oci:{layout}", $"docker://{registry.Host}/bases/multi:2"]).EnsureSuccess();
        var reference = ImageReference.Parse($"{registry.Host}/bases/multi:2");

        Assert.Equal(amd.Manifest.Digest, BasePuller.Pull(reference, Amd64, Settings(dir), _ => { }, default).ManifestDigest);
        var forArm = BasePuller.Pull(reference, Arm64, Settings(dir), _ => { }, default);
        Assert.Equal(arm.Manifest.Digest, forArm.ManifestDigest);
        Assert.Equal(arm.Layers[1].Digest, forArm.Layers[1].Descriptor.Digest);

        var e = Fails(() => BasePuller.Pull(reference, Platform.FromRuntimeIdentifier("linux-arm"), Settings(dir), _ => { }, default));
        Assert.Equal("SLIM4014", e.Code);
        Assert.Contains("linux/arm/v7", e.Message);
        Assert.Contains("linux/amd64, linux/arm64/v8", e.Message);
    }

    [Fact]
    public void UnknownBaseAndWrongArchitectureAreClearErrors()
    {
        using var dir = new ScratchDir();
        using var registry = LocalRegistry.Start();
        SkopeoPush(dir, TestImages.Small(dir), $"{registry.Host}/bases/amd:1");

        var missing = Fails(() => BasePuller.Pull(ImageReference.Parse($"{registry.Host}/bases/amd:no-such-tag"), Amd64, Settings(dir), _ => { }, default));
        Assert.Equal("SLIM4003", missing.Code);
        Assert.Contains("'bases/amd'", missing.Message);
        Assert.Contains("SlimImageBase", missing.Message);

        var wrongArch = Fails(() => BasePuller.Pull(ImageReference.Parse($"{registry.Host}/bases/amd:1"), Arm64, Settings(dir), _ => { }, default));
        Assert.Equal("SLIM4014", wrongArch.Code);
        Assert.Contains("amd64", wrongArch.Message);
    }

    /// <summary>An OCI layout whose index.json points at an image index listing one manifest per platform.</summary>
    private static string MultiPlatformLayout(ScratchDir dir, params (BuiltImage Image, string Arch, string? Variant)[] images)
    {
        var layout = dir.Combine("multi-layout");
        var blobs = Path.Combine(layout, "blobs", "sha256");
        Directory.CreateDirectory(blobs);
        void Blob(Digest d, byte[] bytes) => File.WriteAllBytes(Path.Combine(blobs, d.Hex), bytes);
        var manifests = new List<object>();
        foreach (var (image, arch, variant) in images)
        {
            Blob(image.Config.Digest, image.ConfigBytes.ToArray());
            Blob(image.Manifest.Digest, image.ManifestBytes.ToArray());
            foreach (var l in image.Layers) File.Copy(l.BlobPath, Path.Combine(blobs, l.Digest.Hex), overwrite: true);
            var platform = new Dictionary<string, string> { ["os"] = "linux", ["architecture"] = arch };
            if (variant != null) platform["variant"] = variant;
            manifests.Add(new { mediaType = MediaTypes.Manifest, digest = image.Manifest.Digest.ToString(), size = image.ManifestBytes.Length, platform });
        }
        var index = JsonSerializer.SerializeToUtf8Bytes(new { schemaVersion = 2, mediaType = MediaTypes.Index, manifests });
        var indexDigest = Digest.Of(index);
        Blob(indexDigest, index);
        File.WriteAllText(Path.Combine(layout, "oci-layout"), """{"imageLayoutVersion":"1.0.0"}""");
        File.WriteAllBytes(Path.Combine(layout, "index.json"), JsonSerializer.SerializeToUtf8Bytes(new
        {
            schemaVersion = 2,
            manifests = new[] { new { mediaType = MediaTypes.Index, digest = indexDigest.ToString(), size = index.Length } },
        }));
        return layout;
    }
}
