using SlimImage.Pipeline;
using System.Text;
using SlimImage.Base;
using SlimImage.Diagnostics;
using SlimImage.Layers;
using SlimImage.Rootfs;
using Xunit;
using SlimImage.Entries;

namespace SlimImage.Tests.Planning;

/// <summary>/etc/os-release and /var/lib/dpkg/status.d/ from a fake merged-usr Debian sysroot built in the test.</summary>
public class ScannerMetadataTests
{
    private const string Lib = "/usr/lib/x86_64-linux-gnu";
    private const string OsRelease = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n";

    private static readonly string Status =
        "Package: libc6\nStatus: install ok installed\nPriority: optional\nArchitecture: amd64\nMulti-Arch: same\n" +
        "Source: glibc\nVersion: 2.36-9+deb12u10\nConffiles:\n /etc/ld.so.conf.d/x86_64-linux-gnu.conf abc\n" +
        "Description: GNU C Library: Shared libraries\n Contains the standard libraries.\n .\n More text.\n\n" +
        // A removed package's leftover stanza comes first: only the installed one counts.
        "Package: libssl3\nStatus: deinstall ok config-files\nArchitecture: amd64\nVersion: 3.0.0-1\n\n" +
        "Package: libssl3\nStatus: install ok installed\nArchitecture: amd64\nSource: openssl\nVersion: 3.0.17-1~deb12u2\n" +
        "Maintainer: Debian OpenSSL Team <x@example.org>\n\n" +
        "Package: libicu72\nStatus: install ok installed\nArchitecture: amd64\nSource: icu\nVersion: 72.1-3+deb12u1\n\n" +
        "Package: unrelated\nStatus: install ok installed\nArchitecture: all\nVersion: 1\n";

    /// <summary>A merged-usr sysroot whose dpkg lists name libc6 by its /lib path, as Debian's packages do.</summary>
    private static string Sysroot(bool withDpkg = true, string? status = null)
    {
        var root = Support.Repo.NewTempDir("dpkg");
        Directory.CreateDirectory(root + Lib);
        Directory.CreateDirectory(root + "/usr/local/lib");
        File.CreateSymbolicLink(root + "/lib", "usr/lib");
        foreach (var file in new[] { "libc.so.6", "libssl.so.3", "libicuuc.so.72.1" })
            File.WriteAllText(root + Lib + "/" + file, file);
        File.CreateSymbolicLink(root + Lib + "/libicuuc.so.72", "libicuuc.so.72.1");
        File.WriteAllText(root + "/usr/local/lib/libfoo.so", "foo");
        File.WriteAllText(root + "/usr/lib/os-release", OsRelease);
        Directory.CreateDirectory(root + "/etc");
        File.CreateSymbolicLink(root + "/etc/os-release", "../usr/lib/os-release");
        File.WriteAllText(root + "/etc/debian_version", "12.11\n");
        if (!withDpkg) return root;
        var info = root + "/var/lib/dpkg/info";
        Directory.CreateDirectory(info);
        File.WriteAllText(info + "/libc6:amd64.list", "/.\n/lib\n/lib/x86_64-linux-gnu\n/lib/x86_64-linux-gnu/libc.so.6\n");
        File.WriteAllText(info + "/libssl3:amd64.list", $"/usr\n{Lib}/libssl.so.3\n");
        File.WriteAllText(info + "/libicu72:amd64.list", $"{Lib}/libicuuc.so.72.1\n{Lib}/libicuuc.so.72\n");
        File.WriteAllText(info + "/unrelated.list", "/usr/share/doc/unrelated\n");
        File.WriteAllText(root + "/var/lib/dpkg/status", status ?? Status);
        return root;
    }

    private static RootfsPlan Plan(string root) => new(
    [
        .. EtcFiles.Entries(),
        RootfsEntry.HostFile(Lib + "/libc.so.6", root + Lib + "/libc.so.6", 0x1ED, EntryOrigin.System, "libc"),
        RootfsEntry.HostFile(Lib + "/libssl.so.3", root + Lib + "/libssl.so.3", 0x1A4, EntryOrigin.System, "ssl"),
        RootfsEntry.HostFile(Lib + "/libicuuc.so.72.1", root + Lib + "/libicuuc.so.72.1", 0x1A4, EntryOrigin.System, "icu"),
        RootfsEntry.HostFile("/usr/lib/libfoo.so", root + "/usr/local/lib/libfoo.so", 0x1A4, EntryOrigin.System, "SlimImageLibraryPath"),
        RootfsEntry.HostFile("/app/hello", root + "/usr/local/lib/libfoo.so", 0x1ED, EntryOrigin.App),
    ], []);

    private static string Text(RootfsPlan plan, string path) => Encoding.UTF8.GetString(plan.Entries.Single(e => e.Path == path).Content!);

    [Fact]
    public void ListsEveryPackageWhoseFilesTheImageCarriesThroughMergedUsr()
    {
        var root = Sysroot();
        var messages = new List<SlimDiagnostic>();
        var plan = ScannerMetadata.Add(Plan(root), root, messages.Add);

        Assert.Equal(OsRelease, Text(plan, "/etc/os-release"));
        Assert.Equal("12.11\n", Text(plan, "/etc/debian_version"));
        var status = plan.Entries.Where(e => e.Path.StartsWith("/var/lib/dpkg/status.d/", StringComparison.Ordinal)).ToList();
        Assert.Equal(["/var/lib/dpkg/status.d/libc6", "/var/lib/dpkg/status.d/libicu72", "/var/lib/dpkg/status.d/libssl3"],
            status.Select(e => e.Path));
        Assert.Equal("Package: libc6\nStatus: install ok installed\nPriority: optional\nArchitecture: amd64\nMulti-Arch: same\n" +
            "Source: glibc\nVersion: 2.36-9+deb12u10\nDescription: GNU C Library: Shared libraries\n", Text(plan, "/var/lib/dpkg/status.d/libc6"));
        Assert.Contains("Version: 3.0.17-1~deb12u2\n", Text(plan, "/var/lib/dpkg/status.d/libssl3"));
        Assert.All(status.Append(plan.Entries.Single(e => e.Path == "/etc/os-release")), e =>
        {
            Assert.Equal((0x1A4, 0, 0, EntryOrigin.System), (e.Mode, e.Uid, e.Gid, e.Origin));
            Assert.Null(e.SourcePath);
        });
        Assert.Equal(plan.Entries.Select(e => e.Path).Order(StringComparer.Ordinal), plan.Entries.Select(e => e.Path));
        Assert.Contains(messages, m => m.Code == "SLIM1110" && m.Message.Contains("3 Debian package(s)") && m.Message.Contains("libc6, libicu72, libssl3"));
        // The library from /usr/local is in no package; the app's own files are not the build machine's.
        var unknown = Assert.Single(messages, m => m.Code == "SLIM1111");
        Assert.Contains("/usr/lib/libfoo.so", unknown.Message);
        Assert.DoesNotContain("/app/hello", unknown.Message);
        Assert.DoesNotContain(messages, m => m.Severity == SlimSeverity.Warning);

        // The system layer, the first one, carries them.
        var layers = LayerSplit.Split(plan, "hello");
        Assert.Contains(layers[0].Entries, e => e.Path == "/var/lib/dpkg/status.d/libssl3");
        Assert.DoesNotContain(layers.Skip(1).SelectMany(l => l.Entries), e => e.Path.StartsWith("/var/lib/dpkg", StringComparison.Ordinal));
    }

    [Fact]
    public void TheSameSysrootGivesTheSameBytes()
    {
        var other = Sysroot();
        var first = ScannerMetadata.Add(Plan(other), other, _ => { });
        var root = Sysroot();
        var second = ScannerMetadata.Add(Plan(root), root, _ => { });
        Assert.Equal(first.Entries.Where(e => e.Content != null).Select(e => (e.Path, Encoding.UTF8.GetString(e.Content!))),
            second.Entries.Where(e => e.Content != null).Select(e => (e.Path, Encoding.UTF8.GetString(e.Content!))));
        Assert.Contains(second.Entries, e => e.Path == "/var/lib/dpkg/status.d/libc6");
    }

    [Fact]
    public void ADamagedDatabaseWarnsAndListsWhatItCouldRead()
    {
        // libssl3's stanza is missing, and a .list file has a name no package can have.
        var root = Sysroot(status: Status.Replace("Package: libssl3", "Package: libssl1.1", StringComparison.Ordinal));
        File.WriteAllText(root + "/var/lib/dpkg/info/../info/Bad_Name.list", $"{Lib}/libssl.so.3\n");
        var messages = new List<SlimDiagnostic>();
        var plan = ScannerMetadata.Add(Plan(root), root, messages.Add);

        var warning = Assert.Single(messages, m => m.Severity == SlimSeverity.Warning);
        Assert.Equal("SLIM1113", warning.Code);
        Assert.Contains("no installed package 'libssl3:amd64'", warning.Message);
        Assert.Contains("Bad_Name.list", warning.Message);
        Assert.Contains(plan.Entries, e => e.Path == "/var/lib/dpkg/status.d/libc6");
        Assert.DoesNotContain(plan.Entries, e => e.Path == "/var/lib/dpkg/status.d/libssl3");
    }

    [Fact]
    public void AMalformedStanzaAMissingInfoFolderOrAnUnreadableStatusWarnNamingTheFileAndNeverFail()
    {
        var root = Sysroot(status: "Package: libc6\nStatus: install ok installed\nnot a field\n\n" + Status);
        var messages = new List<SlimDiagnostic>();
        var plan = ScannerMetadata.Add(Plan(root), root, messages.Add);
        var warning = Assert.Single(messages, m => m.Severity == SlimSeverity.Warning);
        Assert.Equal("SLIM1113", warning.Code);
        Assert.Contains(root + "/var/lib/dpkg/status: the stanza at line 1 is malformed ('not a field')", warning.Message);
        Assert.Contains(plan.Entries, e => e.Path == "/var/lib/dpkg/status.d/libc6"); // the good stanza after it still counts

        var noInfo = Sysroot();
        Directory.Delete(noInfo + "/var/lib/dpkg/info", recursive: true);
        messages.Clear();
        ScannerMetadata.Add(Plan(noInfo), noInfo, messages.Add);
        Assert.Contains(noInfo + "/var/lib/dpkg/info is missing", Assert.Single(messages, m => m.Code == "SLIM1113").Message);

        // Unreadable even for root: the status "file" is a folder.
        var unreadable = Sysroot();
        File.Delete(unreadable + "/var/lib/dpkg/status");
        Directory.CreateDirectory(unreadable + "/var/lib/dpkg/status");
        messages.Clear();
        var kept = ScannerMetadata.Add(Plan(unreadable), unreadable, messages.Add);
        Assert.Contains(unreadable + "/var/lib/dpkg/status", Assert.Single(messages, m => m.Code == "SLIM1113").Message);
        Assert.DoesNotContain(kept.Entries, e => e.Path.StartsWith("/var/lib/dpkg/status.d/", StringComparison.Ordinal));
    }

    [Fact]
    public void AnRpmSysrootSaysScannersWillNotSeeItsPackages()
    {
        var root = Sysroot(withDpkg: false);
        Directory.CreateDirectory(root + "/var/lib/rpm");
        var messages = new List<SlimDiagnostic>();
        var before = Plan(root);
        Assert.Same(before, ScannerMetadata.Add(before, root, messages.Add));
        var message = Assert.Single(messages);
        Assert.Equal(("SLIM5201", SlimSeverity.Message), (message.Code, message.Severity));
        Assert.Contains("/var/lib/rpm", message.Message);
        Assert.Contains(Lib + "/libssl.so.3", message.Message);
    }

    [Fact]
    public void ASysrootWithoutDpkgWritesNothingAndSaysSoOnce()
    {
        var root = Sysroot(withDpkg: false);
        var messages = new List<SlimDiagnostic>();
        var before = Plan(root);
        var plan = ScannerMetadata.Add(before, root, messages.Add);

        Assert.Same(before, plan);
        var message = Assert.Single(messages);
        Assert.Equal("SLIM1112", message.Code);
        Assert.Contains(root, message.Message);
        Assert.Contains(Lib + "/libssl.so.3", message.Message);
    }

    [Fact]
    public void ABaseKeepsItsOsReleaseAndItsOwnStanzas()
    {
        var root = Sysroot();
        var fs = new BaseFileSystem();
        fs.BeginLayer();
        // The base has its own libssl.so.3 (under its /lib link): the image's package list does not claim it.
        fs.Apply("usr/lib/x86_64-linux-gnu/libssl.so.3", EntryKind.File, 0x1A4, 0, 0, null);
        fs.Apply("lib", EntryKind.Symlink, 0x1FF, 0, 0, "usr/lib");
        var plan = ScannerMetadata.Add(Plan(root), root, _ => { }, e => BaseOverlay.ProvidesHostFile(fs, e));
        fs.Apply("etc/os-release", EntryKind.File, 0x1A4, 0, 0, null);
        fs.Apply("etc/debian_version", EntryKind.File, 0x1A4, 0, 0, null);
        fs.Apply("var/lib/dpkg/status.d/", EntryKind.Directory, 0x1ED, 0, 0, null);
        fs.Apply("var/lib/dpkg/status.d/libc6", EntryKind.File, 0x1A4, 0, 0, null);

        var result = BaseOverlay.Apply(plan, fs, "1654", []).Entries.Select(e => e.Path).ToList();
        Assert.DoesNotContain("/etc/os-release", result);
        Assert.DoesNotContain("/etc/debian_version", result);
        Assert.DoesNotContain("/var/lib/dpkg/status.d/libc6", result);
        Assert.DoesNotContain("/var/lib/dpkg/status.d/libssl3", result);
        Assert.Contains("/var/lib/dpkg/status.d/libicu72", result);
    }

    [Fact]
    public void AMultiArchPackageIsListedForTheArchitectureOfItsFile()
    {
        var root = Sysroot(status: Status + "\nPackage: libc6\nStatus: install ok installed\nArchitecture: arm64\nSource: glibc\nVersion: 2.36-9+deb12u10\n");
        Directory.CreateDirectory(root + "/usr/lib/aarch64-linux-gnu");
        File.WriteAllText(root + "/usr/lib/aarch64-linux-gnu/libc.so.6", "arm");
        File.WriteAllText(root + "/var/lib/dpkg/info/libc6:arm64.list", "/lib/aarch64-linux-gnu/libc.so.6\n");
        var plan = new RootfsPlan([RootfsEntry.HostFile("/usr/lib/aarch64-linux-gnu/libc.so.6", root + "/usr/lib/aarch64-linux-gnu/libc.so.6",
            0x1ED, EntryOrigin.System)], []);

        var result = ScannerMetadata.Add(plan, root, _ => { });
        Assert.Contains("Architecture: arm64\n", Text(result, "/var/lib/dpkg/status.d/libc6"));
    }
}
