using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using SlimImage.Tests.Support;
using Xunit;

namespace SlimImage.Tests.EndToEnd;

/// <summary>
/// What a real scanner sees: a self-contained app that is not invariant (ICU) and uses OpenSSL, published once,
/// its archive read by trivy offline (the cyclonedx listing needs no vulnerability database).
/// </summary>
public partial class ScannerTests
{

    [Fact]
    public void TrivyListsTheDebianPackagesTheImageCarriesWithDpkgsVersionsAndNoneWhenTurnedOff()
    {
        Trivy.RequireInstalled();
        var project = TestProject.Create("ScScanned", RuntimePrograms.Crypto,
            properties: new Dictionary<string, string> { ["InvariantGlobalization"] = "false" },
            items: [new XElement("PackageReference", new XAttribute("Include", "Newtonsoft.Json"), new XAttribute("Version", "13.0.3"))]);
        var publish = project.Publish("-r", "linux-x64", "--self-contained", "-p:SlimImage=true").EnsureSuccess();
        Assert.Contains("SLIM1110", publish.Output);

        var files = ArchiveValidator.Validate(project.DefaultArchive()).Files;
        var carried = files.Keys.Where(p => p.StartsWith("/var/lib/dpkg/status.d/", StringComparison.Ordinal))
            .Select(p => p["/var/lib/dpkg/status.d/".Length..]).ToList();
        foreach (var package in new[] { "libc6", "libssl3", "libstdc++6" })
            Assert.Contains(package, carried);
        Assert.Contains(carried, p => p.StartsWith("libicu", StringComparison.Ordinal));

        var components = Scan(project.DefaultArchive());
        foreach (var package in carried)
        {
            var version = DpkgVersion(package);
            Assert.True(components.Any(c => c.StartsWith($"pkg:deb/debian/{package}@{version}?", StringComparison.Ordinal)),
                $"trivy lists no {package} {version}:\n{string.Join("\n", components)}");
        }
        Assert.Contains("pkg:nuget/Newtonsoft.Json@13.0.3", components);

        var off = Path.Combine(project.Directory, "off.tar");
        project.Publish("-r", "linux-x64", "--self-contained", "-p:SlimImage=true", "-p:SlimImageScannerMetadata=false",
            $"-p:SlimImageArchiveOutputPath={off}").EnsureSuccess();
        var offComponents = Scan(off);
        Assert.DoesNotContain(offComponents, c => c.StartsWith("pkg:deb/", StringComparison.Ordinal));
        Assert.Contains("pkg:nuget/Newtonsoft.Json@13.0.3", offComponents);
    }

    /// <summary>The purls of every component trivy finds in the archive.</summary>
    private static List<string> Scan(string archive)
    {
        var cache = Repo.NewTempDir("trivy-cache");
        var report = Path.Combine(cache, "sbom.json");
        var result = Repo.Run(Trivy.Path, ["image", "--input", archive, "--format", "cyclonedx", "--output", report, "--scanners", "license",
            "--offline-scan", "--skip-db-update", "--skip-java-db-update", "--cache-dir", cache, "--quiet"], timeoutSeconds: 300);
        Assert.True(result.ExitCode == 0, result.Output);
        using var doc = JsonDocument.Parse(File.ReadAllText(report));
        return doc.RootElement.GetProperty("components").EnumerateArray()
            .Where(c => c.TryGetProperty("purl", out _)).Select(c => Uri.UnescapeDataString(c.GetProperty("purl").GetString()!)).ToList();
    }

    /// <summary>What the build machine's dpkg says the installed version is.</summary>
    private static string DpkgVersion(string package)
    {
        var result = Repo.Run("dpkg-query", ["-W", "-f=${Version}\n", package]).EnsureSuccess();
        var version = Version().Match(result.Output).Value;
        // A purl carries the epoch as a qualifier, not in the version.
        return version[(version.IndexOf(':') + 1)..];
    }

    [GeneratedRegex(@"^\S+", RegexOptions.Multiline)]
    private static partial Regex Version();
}
