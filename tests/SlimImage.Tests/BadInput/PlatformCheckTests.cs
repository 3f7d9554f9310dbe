using SlimImage.Diagnostics;
using SlimImage.Platforms;
using SlimImage.Tests.Support;
using Xunit;

namespace SlimImage.Tests.BadInput;

/// <summary>
/// SlimImageRuntimeIdentifiers checked before any publish: the real sysroot of this machine (which has the arm64
/// libraries build/test.sh installs) and small sysroots made here, so each rule fails and passes for a reason.
/// </summary>
public class PlatformCheckTests
{
    private static PlatformsRequest Request(string rids, string sysroot = "/", Dictionary<string, string>? sysroots = null, bool aot = false) =>
        new(rids, sysroot, sysroots ?? new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase), aot);

    private static SlimException Fails(PlatformsRequest request) => Assert.Throws<SlimException>(() => PlatformCheck.Check(request));

    [Fact]
    public void EachPlatformGetsItsSysrootInTheOrderGiven()
    {
        using var dir = new ScratchDir();
        var own = Directory.CreateDirectory(dir.Combine("x64root")).FullName;
        dir.File("x64root/usr/lib/x86_64-linux-gnu/libc.so.6", File.ReadAllBytes("/usr/lib/x86_64-linux-gnu/libc.so.6"));
        dir.File("x64root/usr/lib/x86_64-linux-gnu/libstdc++.so.6", File.ReadAllBytes("/usr/lib/x86_64-linux-gnu/libstdc++.so.6"));
        dir.File("x64root/usr/lib/x86_64-linux-gnu/libgcc_s.so.1", File.ReadAllBytes("/usr/lib/x86_64-linux-gnu/libgcc_s.so.1"));
        var targets = PlatformCheck.Check(Request(" linux-arm64 ; linux-x64", sysroots: new(StringComparer.OrdinalIgnoreCase) { ["LINUX-X64"] = own }));
        Assert.Equal([("linux-arm64", "/"), ("linux-x64", own)], targets.Select(t => (t.RuntimeIdentifier, t.Sysroot)));
    }

    [Fact]
    public void NonLinuxUnknownAndDuplicatePlatformsAreErrors()
    {
        var windows = Fails(Request("linux-x64;win-x64"));
        Assert.Equal("SLIM5301", windows.Code);
        Assert.Contains("'win-x64'", windows.Text);
        Assert.Equal("SLIM5301", Fails(Request("linux-s390x")).Code);
        // A RID names folders: no path characters.
        Assert.Contains("characters", Fails(Request("linux-x64;linux-../../x64")).Text);
        Assert.Equal("SLIM5300", Fails(Request(" ; ")).Code);

        var twice = Fails(Request("linux-x64;linux-arm64;LINUX-X64"));
        Assert.Equal("SLIM5302", twice.Code);
        Assert.Contains("linux/amd64", twice.Text);
        // Two spellings of one platform are one platform too.
        var both = Fails(Request("linux-x64;linux-musl-x64"));
        Assert.Equal("SLIM5302", both.Code);
        Assert.Contains("'linux-musl-x64'", both.Text);
    }

    [Fact]
    public void ASysrootWithoutTheArchitecturesLibrariesNamesTheDebianPackages()
    {
        using var dir = new ScratchDir();
        // An x86-64 libc where an arm64 one belongs does not count: the loader would skip it.
        dir.File("wrong/usr/lib/aarch64-linux-gnu/libc.so.6", File.ReadAllBytes("/usr/lib/x86_64-linux-gnu/libc.so.6"));
        var wrong = dir.Combine("wrong");
        var e = Fails(Request("linux-x64;linux-arm64", sysroots: new(StringComparer.OrdinalIgnoreCase) { ["linux-arm64"] = wrong }));
        Assert.Equal("SLIM5303", e.Code);
        Assert.Contains($"'{wrong}'", e.Text);
        Assert.Contains("apt-get install libc6:arm64 libstdc++6:arm64 libgcc-s1:arm64", e.Text);
        Assert.Contains("dpkg --add-architecture arm64", e.Text);

        // NativeAOT needs only libc: with the real arm64 libc in place, only the C++ runtime is missing for self-contained.
        dir.File("partial/usr/lib/aarch64-linux-gnu/libc.so.6", File.ReadAllBytes("/usr/lib/aarch64-linux-gnu/libc.so.6"));
        var partial = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["linux-arm64"] = dir.Combine("partial") };
        Assert.Contains("apt-get install libstdc++6:arm64 libgcc-s1:arm64", Fails(Request("linux-arm64", sysroots: partial)).Text);
        Assert.Single(PlatformCheck.Check(Request("linux-arm64", sysroots: partial, aot: true)));

        // armhf is not installed here: the message names its packages.
        Assert.Contains("libc6:armhf", Fails(Request("linux-arm", "/")).Text);
        var missing = Fails(Request("linux-x64", dir.Combine("nowhere")));
        Assert.Equal("SLIM5305", missing.Code);
    }

    [Fact]
    public void AMuslRuntimeIdentifierNeedsAMuslSysroot()
    {
        using var dir = new ScratchDir();
        var e = Fails(Request("linux-musl-x64"));
        Assert.Equal("SLIM5304", e.Code);
        Assert.Contains("/lib/ld-musl-x86_64.so.1", e.Text);
        dir.File("alpine/lib/ld-musl-x86_64.so.1", File.ReadAllBytes("/usr/lib/x86_64-linux-gnu/libc.so.6"));
        Assert.Single(PlatformCheck.Check(Request("linux-musl-x64", dir.Combine("alpine"))));
    }
}
