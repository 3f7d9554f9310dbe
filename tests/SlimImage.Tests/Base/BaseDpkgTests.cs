using System.Text;
using SlimImage.Diagnostics;
using SlimImage.Tests.Layers;
using SlimImage.Tests.Support;
using Xunit;

namespace SlimImage.Tests.Base;

/// <summary>
/// A Debian-like base with a single /var/lib/dpkg/status (as debian:bookworm has it, not distroless's status.d/), built
/// here with umoci: the image keeps it as it is and adds status.d/ stanzas only for the packages the base does not list.
/// </summary>
public class BaseDpkgTests
{
    private const string StatusD = "/var/lib/dpkg/status.d/";

    /// <summary>The build machine's own stanza of <paramref name="package"/>, as the base's database would hold it.</summary>
    private static string HostStanza(string package) =>
        File.ReadAllText("/var/lib/dpkg/status").Split("\n\n").First(s => s.StartsWith($"Package: {package}\n", StringComparison.Ordinal)
                                                                       && s.Contains("Architecture: amd64\n") && s.Contains(" installed\n")) + "\n";

    private static string DebianLikeBase(ScratchDir dir, string osRelease)
    {
        foreach (var tool in new[] { "umoci", "skopeo" }) Repo.RequireTool(tool);
        var stage = dir.Combine("stage");
        Directory.CreateDirectory(stage + "/var/lib/dpkg");
        Directory.CreateDirectory(stage + "/etc");
        // libc6 is the base's; a second stanza is malformed (a line that is no field), which is a warning, not a failure.
        File.WriteAllText(stage + "/var/lib/dpkg/status", "Package: broken\nthis line is no field\n\n" + HostStanza("libc6"));
        File.WriteAllText(stage + "/etc/os-release", osRelease);
        var layout = dir.Combine("layout");
        string Umoci(params string[] args) => Repo.Run("umoci", args, timeoutSeconds: 120).EnsureSuccess().Output;
        Umoci("init", "--layout", layout);
        Umoci("new", "--image", layout + ":base");
        Umoci("insert", "--rootless", "--image", layout + ":base", stage, "/");
        var archive = dir.Combine("debian-like.tar");
        Repo.Run("skopeo", ["copy", "--quiet", "oci:" + layout + ":base", "oci-archive:" + archive], timeoutSeconds: 120).EnsureSuccess();
        return archive;
    }

    [Fact]
    public void ABaseWithOneStatusFileKeepsItAndGetsStanzasOnlyForPackagesItDoesNotList()
    {
        using var dir = new ScratchDir();
        var hostRelease = File.ReadAllText("/etc/os-release");
        var (result, messages) = BasePipelineTests.Run(TestRequests.WholePipeline(dir, DebianLikeBase(dir, hostRelease), linkLibstdcxx: true));
        var view = ArchiveValidator.Validate(result.ArchivePath!);
        var ours = view.Layers.Skip(1).SelectMany(l => l.Entries).Select(e => e.Path).ToList();

        // The base's status file stays the base's, byte for byte, in the base's layer only.
        Assert.Contains("Package: broken", Encoding.UTF8.GetString(view.Files["/var/lib/dpkg/status"].Content!));
        Assert.DoesNotContain("/var/lib/dpkg/status", ours);
        // libc6 is listed by the base; libstdc++6 and libgcc-s1, whose files SlimImage adds, get stanzas of their own.
        Assert.DoesNotContain(StatusD + "libc6", ours);
        Assert.Contains(StatusD + "libstdc++6", ours);
        Assert.Contains(StatusD + "libgcc-s1", ours);
        Assert.StartsWith("Package: libstdc++6\n", Encoding.UTF8.GetString(view.Files[StatusD + "libstdc++6"].Content!));
        // The malformed stanza is named in a warning; nothing failed.
        var warning = Assert.Single(messages, m => m.Code == "SLIM5203");
        Assert.Equal(SlimSeverity.Warning, warning.Severity);
        Assert.Contains("debian-like.tar", warning.Message);
        Assert.Contains("/var/lib/dpkg/status: the stanza at line 1", warning.Message);
        Assert.Contains("this line is no field", warning.Message);
        Assert.DoesNotContain(messages, m => m.Code == "SLIM5202");
    }

    [Fact]
    public void ABaseOfAnotherDistributionKeepsItsOsReleaseAndTheBuildSaysWhatThatMeans()
    {
        using var dir = new ScratchDir();
        const string ubuntu = "NAME=\"Ubuntu\"\nID=ubuntu\nVERSION_ID=\"24.04\"\n";
        var (result, messages) = BasePipelineTests.Run(TestRequests.WholePipeline(dir, DebianLikeBase(dir, ubuntu), linkLibstdcxx: true));
        var view = ArchiveValidator.Validate(result.ArchivePath!);

        Assert.Equal(ubuntu, Encoding.UTF8.GetString(view.Files["/etc/os-release"].Content!));
        var warning = Assert.Single(messages, m => m.Code == "SLIM5202");
        Assert.Equal(SlimSeverity.Warning, warning.Severity);
        Assert.Contains("ubuntu 24.04", warning.Message);
        Assert.Contains("libstdc++6", warning.Message);
        Assert.Contains(view.Files.Keys, p => p == StatusD + "libstdc++6"); // still listed: the files are there
    }
}
