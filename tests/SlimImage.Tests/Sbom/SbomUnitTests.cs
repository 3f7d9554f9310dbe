using SlimImage.Tar;
using SlimImage.Diagnostics;
using SlimImage.Image;
using SlimImage.Layers;
using SlimImage.Rootfs;
using SlimImage.Sbom;
using SlimImage.Tests.Support;
using Xunit;
using SlimImage.Oci;
using SlimImage.Entries;

namespace SlimImage.Tests.Sbom;

/// <summary>The SBOM's parsers and readers on small inputs made here: properties, licences, nuspecs, DEP-5, purls.</summary>
public class SbomUnitTests
{
    [Theory]
    [InlineData(null, null, null)]
    [InlineData("true", null, SbomFormat.Spdx)]
    [InlineData("true", "cyclonedx", SbomFormat.CycloneDx)]
    [InlineData(" TRUE ", "SPDX", SbomFormat.Spdx)]
    [InlineData("false", "spdx", null)]
    public void PropertiesParse(string? enabled, string? format, SbomFormat? expected) =>
        Assert.Equal(expected, SbomFormats.Parse(enabled, format));

    [Fact]
    public void BadPropertiesAreErrorsNamingThem()
    {
        Assert.Equal("SLIM5100", Assert.Throws<SlimException>(() => SbomFormats.Parse("yes", null)).Code);
        var e = Assert.Throws<SlimException>(() => SbomFormats.Parse("true", "syft"));
        Assert.Equal("SLIM5101", e.Code);
        Assert.Contains("'syft'", e.Message);
    }

    [Theory]
    [InlineData("MIT", true)]
    [InlineData("(MIT OR Apache-2.0) AND BSD-3-Clause", true)]
    [InlineData("GPL-2.0-or-later WITH Classpath-exception-2.0", true)]
    [InlineData("MIT OR", false)]
    [InlineData("MIT AND (Apache-2.0", false)]
    [InlineData("<script>", false)]
    [InlineData("", false)]
    public void LicenceExpressionsAreCheckedBeforeTheyAreCopied(string expression, bool valid) =>
        Assert.Equal(valid, LicenseExpression.IsValid(expression));

    [Fact]
    public void NuspecGivesLicenceAndRepositoryAndRefusesDtds()
    {
        var info = NuGetMetadata.Parse("""
            <?xml version="1.0"?><package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd"><metadata>
            <id>A</id><license type="expression">MIT OR Apache-2.0</license><projectUrl>https://example.org/a</projectUrl>
            <repository type="git" url="https://github.com/o/a.git" commit="0123456789abcdef" /></metadata></package>
            """);
        Assert.Equal("MIT OR Apache-2.0", info.License);
        Assert.Equal("https://github.com/o/a.git", info.RepositoryUrl);
        Assert.Equal("0123456789abcdef", info.Commit);
        Assert.Throws<System.Xml.XmlException>(() => NuGetMetadata.Parse(
            """<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]><package><metadata><license type="expression">&x;</license></metadata></package>"""));
        Assert.Null(NuGetMetadata.Parse("""<package><metadata><license type="file">LICENSE.txt</license></metadata></package>""").License);
    }

    [Theory]
    [InlineData("Newtonsoft.Json", "13.0.3", true)]
    [InlineData("../../etc", "1.0", false)]
    [InlineData("A", "1.0/../..", false)]
    [InlineData("A", "..", false)]
    public void PackageIdsAndVersionsAreCheckedBeforeTheyNameAFolder(string id, string version, bool safe) =>
        Assert.Equal(safe, NuGetMetadata.IsSafe(id, version));

    [Fact]
    public void NuspecIsFoundInThePackageFolderByLowerCaseName()
    {
        var dir = Repo.NewTempDir("sbom-nuspec");
        var folder = Directory.CreateDirectory(Path.Combine(dir, "packages", "newtonsoft.json", "13.0.3")).FullName;
        File.WriteAllText(Path.Combine(folder, "newtonsoft.json.nuspec"),
            """<package><metadata><license type="expression">MIT</license></metadata></package>""");
        var problems = new List<string>();
        Assert.Equal("MIT", NuGetMetadata.Find("Newtonsoft.Json", "13.0.3", [Path.Combine(dir, "packages")], problems)?.License);
        Assert.Null(NuGetMetadata.Find("Other", "1.0.0", [Path.Combine(dir, "packages")], problems));
        Assert.Empty(problems);
    }

    [Fact]
    public void Dep5LicencesBecomeOneSpdxExpressionWithRefsForNamesSpdxLacks()
    {
        var license = DebianCopyright.Parse("""
            Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
            Upstream-Name: x

            Files: *
            Copyright: 2020 A
            License: GPL-2+

            Files: lib/*
            Copyright: 2020 B
            License: LGPL-2.1 or Expat

            Files: data/*
            Copyright: none
            License: public-domain

            License: public-domain
             The files are in the public domain.
            """, "/usr/share/doc/x/copyright");
        Assert.NotNull(license);
        Assert.Equal("(LGPL-2.1-only OR MIT) AND GPL-2.0-or-later AND LicenseRef-public-domain", license.Expression);
        Assert.True(LicenseExpression.IsValid(license.Expression));
        var extracted = Assert.Single(license.Refs);
        Assert.Equal("The files are in the public domain.", extracted.Text);
        Assert.Null(DebianCopyright.Parse("This is the Debian prepackaged version of x.\nCopyright: someone\n", "x"));
    }

    [Fact]
    public void AMissingCopyrightFileIsAWarningAndTheBuildGoesOn()
    {
        var dir = Repo.NewTempDir("sbom-sysroot");
        Directory.CreateDirectory(Path.Combine(dir, "usr/share/doc/libfoo1"));
        File.WriteAllText(Path.Combine(dir, "usr/share/doc/libfoo1/copyright"),
            "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nCopyright: x\nLicense: Expat\n");
        var foo = new DpkgPackage("libfoo1", "amd64", "Package: libfoo1\n") { Version = "1:1.2+dfsg-3" };
        var bar = new DpkgPackage("libbar2", "amd64", "Package: libbar2\n") { Version = "2.0-1" };
        var entries = new[]
        {
            RootfsEntry.Generated("/usr/lib/libfoo.so.1", [1]), RootfsEntry.Generated("/usr/lib/libbar.so.2", [2]),
            RootfsEntry.Generated("/app/app", [3]) with { Origin = EntryOrigin.App },
        };
        var packages = new HostPackages([bar, foo], new Dictionary<string, DpkgPackage> { ["/usr/lib/libfoo.so.1"] = foo, ["/usr/lib/libbar.so.2"] = bar },
            "ID=debian\nVERSION_ID=\"12\"\n"u8.ToArray(), "12.11\n"u8.ToArray());
        var sums = entries.ToDictionary(e => e.Path, e => new FileChecksum(e.Path, new string('1', 40), new string('2', 64)));
        var reports = new List<SlimDiagnostic>();
        var manifest = Descriptor.Of(MediaTypes.Manifest, "{}"u8);
        var options = new SbomOptions(SbomFormat.Spdx, "app", "app", DateTimeOffset.UnixEpoch, "amd64") { Sysroot = dir };
        var doc = SbomBuilder.Build(options, manifest, entries, packages, sums, reports.Add);

        var warning = Assert.Single(reports, r => r.Code == "SLIM5102");
        Assert.Equal(SlimSeverity.Warning, warning.Severity);
        Assert.Contains("libbar2", warning.Message);
        Assert.DoesNotContain("libfoo1", warning.Message);
        var fooPackage = doc.Packages.Single(p => p.Name == "libfoo1");
        Assert.Equal("MIT", fooPackage.License);
        Assert.Equal("pkg:deb/debian/libfoo1@1.2%2Bdfsg-3?arch=amd64&distro=debian-12.11&epoch=1", fooPackage.Purl);
        Assert.Null(doc.Packages.Single(p => p.Name == "libbar2").License);
        Assert.Equal(fooPackage.Id, doc.Files.Single(f => f.Path == "/usr/lib/libfoo.so.1").PackageId);
        Assert.Equal(doc.Packages.Single(p => p.Kind == SbomPackageKind.Application).Id, doc.Files.Single(f => f.Path == "/app/app").PackageId);

        // The same inputs, the same bytes; SPDX and CycloneDX alike.
        Assert.Equal(SpdxWriter.Write(doc), SpdxWriter.Write(SbomBuilder.Build(options, manifest, entries.Reverse().ToArray(), packages, sums, _ => { })));
        Assert.Equal(CycloneDxWriter.Write(doc), CycloneDxWriter.Write(doc));
    }
}
