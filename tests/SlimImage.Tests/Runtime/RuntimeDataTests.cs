using System.Text;
using SlimImage.Diagnostics;
using SlimImage.Publish;
using SlimImage.Runtime;
using SlimImage.Tests.Elf;
using SlimImage.Tests.Support;
using Xunit;
using SlimImage.Entries;

namespace SlimImage.Tests.Runtime;

/// <summary>The data files the runtime reads (CA bundle, zoneinfo), the options that add them, and what is left out.</summary>
public sealed class RuntimeDataTests : IDisposable
{
    private const string Cert = "-----BEGIN CERTIFICATE-----\nMIIBdGVzdA==\n-----END CERTIFICATE-----";
    private readonly ElfFixture fx = new();
    private readonly List<SlimDiagnostic> diagnostics = [];

    public void Dispose() => fx.Dispose();

    private string Sys => Path.Combine(fx.Root, "sys");

    [Theory]
    [InlineData(null, OpenSslMode.Auto)]
    [InlineData("", OpenSslMode.Auto)]
    [InlineData(" Auto ", OpenSslMode.Auto)]
    [InlineData("true", OpenSslMode.Include)]
    [InlineData("FALSE", OpenSslMode.Exclude)]
    public void ParsesSlimImageOpenSsl(string? value, OpenSslMode expected) =>
        Assert.Equal(expected, RuntimeOptions.ParseOpenSsl(value));

    [Fact]
    public void RejectsAnOpenSslValueAndCaFilesThatAreNotCertificates()
    {
        var e = Assert.Throws<SlimException>(() => RuntimeOptions.ParseOpenSsl("yes"));
        Assert.Equal("SLIM1200", e.Code);
        Assert.Contains("SlimImageOpenSsl 'yes'", e.Message);

        var missing = Assert.Throws<SlimException>(() => RuntimeOptions.Validate([fx.At("nope.pem")]));
        Assert.Equal("SLIM1201", missing.Code);
        var der = fx.Write("ca.der", "0\x82\x01binary");
        var notPem = Assert.Throws<SlimException>(() => RuntimeOptions.Validate([der]));
        Assert.Equal("SLIM1202", notPem.Code);
        Assert.Contains(der, notPem.Message);
    }

    [Fact]
    public void CaBundleIsTheSysrootBundleThenOnlyTheCertificatesOfTheUserFiles()
    {
        fx.Write("sys/etc/ssl/certs/ca-certificates.crt", "# host bundle\n" + Cert.Replace("dGVzdA", "aG9zdA"));
        var pem = fx.Write("corp.pem", "-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n-----END PRIVATE KEY-----\r\n" + Cert.Replace("\n", "\r\n") + "\r\n");
        var set = RuntimeData.CaBundle(Sys, [pem], diagnostics.Add);

        var entry = Assert.Single(set.Entries);
        Assert.Equal(RuntimeData.CaBundlePath, entry.Path);
        var text = Encoding.ASCII.GetString(entry.Content!);
        Assert.Equal("# host bundle\n" + Cert.Replace("dGVzdA", "aG9zdA") + "\n" + Cert + "\n", text);
        Assert.DoesNotContain("PRIVATE KEY", text);
        Assert.Equal(entry.Content!.Length, set.Size);
        Assert.Contains(pem, set.HostPath);
        Assert.Empty(diagnostics);
    }

    [Fact]
    public void MissingSysrootBundleWarnsAndKeepsTheUserCertificates()
    {
        var pem = fx.Write("corp.pem", Cert);
        var set = RuntimeData.CaBundle(Sys, [pem], diagnostics.Add);
        Assert.Equal(Cert + "\n", Encoding.ASCII.GetString(set.Entries[0].Content!));
        var warning = Assert.Single(diagnostics);
        Assert.Equal(("SLIM2101", SlimSeverity.Warning), (warning.Code, warning.Severity));
        Assert.Contains("ca-certificates", warning.Message);
    }

    [Fact]
    public void ZoneInfoKeepsTzifFilesTabsAndInnerLinksOnly()
    {
        const string zi = "sys/usr/share/zoneinfo/";
        const string zoneTab = "DE\t+5230+01322\tEurope/Berlin\n", iso = "DE\tGermany\n";
        fx.Write(zi + "zone.tab", zoneTab);
        fx.Write(zi + "iso3166.tab", iso);
        fx.Write(zi + "Europe/Berlin", "TZif2 berlin");
        fx.Write(zi + "Etc/UTC", "TZif2 utc");
        fx.Write(zi + "tzdata.zi", "# version 2025b\n");
        fx.Write(zi + "right/Europe/Berlin", "TZif2 right");
        fx.Symlink(zi + "UTC", "Etc/UTC");
        fx.Symlink(zi + "posix", ".");
        fx.Symlink(zi + "localtime", "/etc/localtime");
        fx.Symlink(zi + "Etc/Outside", "../../../../etc/passwd");

        var set = RuntimeData.ZoneInfo(Sys)!;
        var byPath = set.Entries.ToDictionary(e => e.Path);
        Assert.Equal(
            ["/usr/share/zoneinfo", "/usr/share/zoneinfo/Etc", "/usr/share/zoneinfo/Etc/UTC", "/usr/share/zoneinfo/Europe",
             "/usr/share/zoneinfo/Europe/Berlin", "/usr/share/zoneinfo/UTC", "/usr/share/zoneinfo/iso3166.tab",
             "/usr/share/zoneinfo/posix", "/usr/share/zoneinfo/zone.tab"],
            byPath.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(EntryKind.Symlink, byPath["/usr/share/zoneinfo/UTC"].Kind);
        Assert.Equal("Etc/UTC", byPath["/usr/share/zoneinfo/UTC"].LinkTarget);
        Assert.Equal(".", byPath["/usr/share/zoneinfo/posix"].LinkTarget);
        Assert.Equal(EntryKind.Directory, byPath["/usr/share/zoneinfo/Europe"].Kind);
        Assert.Equal("TZif2 berlin".Length + "TZif2 utc".Length + zoneTab.Length + iso.Length, set.Size);

        fx.Write("empty/usr/share/zoneinfo/Etc/UTC", "TZif2 utc");
        Assert.Null(RuntimeData.ZoneInfo(Path.Combine(fx.Root, "empty")));
    }

    [Fact]
    public void TrimDiagnosticsLeavesOutDebuggerAndDumpSupportWithTheirSizes()
    {
        PublishFile File(string name, int size) =>
            new(fx.Write("pub/" + name, new string('x', size)), name, EntryOrigin.Runtime);
        var files = new[] { File("libmscordaccore.so", 30), File("libmscordbi.so", 20), File("createdump", 10), File("libcoreclr.so", 5), File("sub/createdump", 1) };

        var kept = PublishOutput.Select(files, new PublishOptions(false, false));
        Assert.Empty(kept.LeftOut);

        var trimmed = PublishOutput.Select(files, new PublishOptions(false, false, TrimDiagnostics: true));
        Assert.Equal(["libcoreclr.so", "sub/createdump"], trimmed.Kept.Select(f => f.RelativePath));
        Assert.Equal([("createdump", 10L), ("libmscordaccore.so", 30L), ("libmscordbi.so", 20L)],
            trimmed.LeftOut.Select(l => (l.File.RelativePath, l.Size)));
        Assert.All(trimmed.LeftOut, l => Assert.Contains("SlimImageTrimDiagnostics", l.Why));
    }
}
