using SlimImage.Rootfs;
using SlimImage.Diagnostics;
using SlimImage.Pipeline;
using SlimImage.Tests.Base;
using SlimImage.Tests.Support;
using Xunit;

namespace SlimImage.Tests.Hostile;

/// <summary>
/// Issue 11: SlimImageFile items are listed in the summary with their size, and a file the build machine keeps from
/// other users (0640: /etc/shadow in a root build) is named when the image makes it readable by everyone.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class HostFileModeTests
{
    private const int Private = 0b110_100_000; // 0640
    private const int OwnerOnly = 0b110_000_000; // 0600

    [Fact]
    public void SlimImageFilesAreInTheSummaryWithTheirSizeAndWidenedModesAreNamed()
    {
        using var dir = new ScratchDir();
        var secret = dir.File("host/shadow", "root:*:19000:0:99999:7:::\n"); // 26 bytes
        File.SetUnixFileMode(secret, (UnixFileMode)Private);
        var folder = dir.Combine("host/conf");
        var key = dir.File("host/conf/key.pem", new string('k', 2000));
        File.SetUnixFileMode(key, (UnixFileMode)OwnerOnly);
        var open = dir.File("host/conf/app.json", new string('j', 48));
        File.SetUnixFileMode(open, (UnixFileMode)0b110_100_100);
        var request = TestRequests.WholePipeline(dir, "scratch");
        // A publish file written under umask 077 is widened too, but it is the build's own: a message, no warning.
        File.SetUnixFileMode(request.PublishFiles[2].HostPath, (UnixFileMode)OwnerOnly);
        request = request with { Files = [new ExtraFile(secret, "/etc/shadow"), new ExtraFile(folder, "/etc/app/")] };

        var (result, messages) = BasePipelineTests.Run(request);

        var summary = Assert.Single(messages, m => m.Code == "SLIM1101").Message;
        Assert.Contains($"/etc/shadow (26 B) from {secret}: SlimImageFile", summary);
        Assert.Contains($"/etc/app (2.0 KB) from {folder}: SlimImageFile, 2 file(s)", summary);

        var warning = Assert.Single(messages, m => m.Code == "SLIM1104");
        Assert.Equal(SlimSeverity.Warning, warning.Severity);
        Assert.Contains($"{secret} as /etc/shadow (0640 -> 0644)", warning.Message);
        Assert.Contains($"{key} as /etc/app/key.pem (0600 -> 0644)", warning.Message);
        Assert.DoesNotContain(open, warning.Message);
        Assert.DoesNotContain("Newtonsoft", warning.Message);

        var info = Assert.Single(messages, m => m.Code == "SLIM1105");
        Assert.Equal(SlimSeverity.Message, info.Severity);
        Assert.Contains("/app/Newtonsoft.Json.dll (0600 -> 0644)", info.Message);
        Assert.DoesNotContain("shadow", info.Message);

        var files = ArchiveValidator.Validate(result.ArchivePath!).Files;
        Assert.Equal("644", files["/etc/shadow"].ModeOctal);
        Assert.Equal("644", files["/etc/app/key.pem"].ModeOctal);
        Assert.Equal(2000, files["/etc/app/key.pem"].Size);
    }

    [Fact]
    public void NothingIsNamedWhenNoModeIsWidened()
    {
        using var dir = new ScratchDir();
        var request = TestRequests.WholePipeline(dir, "scratch");
        var readable = dir.File("host/motd", "hello\n");
        File.SetUnixFileMode(readable, (UnixFileMode)0b110_100_100);
        var (_, messages) = BasePipelineTests.Run(request with { Files = [new ExtraFile(readable, "/etc/motd")] });
        Assert.DoesNotContain(messages, m => m.Code is "SLIM1104" or "SLIM1105");
        Assert.Contains($"/etc/motd (6 B) from {readable}: SlimImageFile", Assert.Single(messages, m => m.Code == "SLIM1101").Message);
    }
}
