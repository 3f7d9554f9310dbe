using SlimImage.Diagnostics;
using SlimImage.FileSystem;
using Xunit;

namespace SlimImage.Tests.Elf;

public sealed class SysrootPathTests : IDisposable
{
    private readonly ElfFixture fx = new();

    public void Dispose() => fx.Dispose();

    private string Sys => Path.Combine(fx.Root, "sys");

    private void MergedUsr()
    {
        fx.Write("sys/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", "loader");
        fx.Symlink("sys/lib", "usr/lib");
        fx.Symlink("sys/lib64", "usr/lib64");
        fx.Symlink("sys/usr/lib64/ld-linux-x86-64.so.2", "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2");
    }

    [Fact]
    public void FollowsDirectoryAndFileLinksAndListsThemInOrder()
    {
        MergedUsr();

        var r = SysrootPath.Resolve(Sys, "/lib64/ld-linux-x86-64.so.2")!;

        Assert.Equal("/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", r.RealPath);
        Assert.Equal(Path.Combine(Sys, "usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"), r.HostPath);
        Assert.False(r.IsDirectory);
        Assert.Equal(
        [
            new SysrootLink("/lib64", "usr/lib64"),
            new SysrootLink("/usr/lib64/ld-linux-x86-64.so.2", "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"),
            new SysrootLink("/lib", "usr/lib"),
        ], r.Links);
    }

    [Fact]
    public void DotDotNeverLeavesTheSysroot()
    {
        fx.Write("sys/etc/passwd", "root:x:0:0::/root:/bin/sh\n");
        fx.Symlink("sys/usr/lib/escape", "../../../../../../../../etc/passwd");

        var r = SysrootPath.Resolve(Sys, "/usr/lib/escape")!;

        Assert.Equal("/etc/passwd", r.RealPath);
        Assert.Equal(Path.Combine(Sys, "etc/passwd"), r.HostPath);
        Assert.Equal("/", SysrootPath.Resolve(Sys, "/../..")!.RealPath);
    }

    [Fact]
    public void AbsoluteTargetsStartAtTheSysrootRoot()
    {
        fx.Write("sys/opt/real/libz.so.1", "z");
        fx.Symlink("sys/usr/lib/libz.so.1", "/opt/real/libz.so.1");

        var r = SysrootPath.Resolve(Sys, "/usr/lib/libz.so.1")!;

        Assert.Equal("/opt/real/libz.so.1", r.RealPath);
        Assert.StartsWith(Sys, r.HostPath);
    }

    [Fact]
    public void MissingDanglingAndFileAsFolderAreNull()
    {
        fx.Write("sys/usr/lib/file", "x");
        fx.Symlink("sys/usr/lib/dangling", "nowhere");

        Assert.Null(SysrootPath.Resolve(Sys, "/usr/lib/none"));
        Assert.Null(SysrootPath.Resolve(Sys, "/usr/lib/dangling"));
        Assert.Null(SysrootPath.Resolve(Sys, "/usr/lib/file/child"));
    }

    [Fact]
    public void ALoopIsSlim2002NamingThePath()
    {
        fx.Symlink("sys/usr/lib/liba.so", "libb.so");
        fx.Symlink("sys/usr/lib/libb.so", "liba.so");

        var ex = Assert.Throws<SlimException>(() => SysrootPath.Resolve(Sys, "/usr/lib/liba.so"));

        Assert.Equal("SLIM2002", ex.Code);
        Assert.Contains("/usr/lib/liba.so", ex.Message);
    }

    [Fact]
    public void FortyLinksResolveAndFortyOneDoNot()
    {
        fx.Write("sys/l/target", "t");
        fx.Symlink("sys/l/link0", "target");
        for (var i = 1; i <= 40; i++) fx.Symlink($"sys/l/link{i}", $"link{i - 1}");

        Assert.Equal("/l/target", SysrootPath.Resolve(Sys, "/l/link39")!.RealPath);
        Assert.Throws<SlimException>(() => SysrootPath.Resolve(Sys, "/l/link40"));
    }

    [Fact]
    public void OnTheHostTheInterpreterPathCrossesTheMergedUsrLink()
    {
        // Debian 12 and later are merged-usr: /lib64 -> usr/lib64. On another layout there is nothing to check.
        if (new FileInfo("/lib64").LinkTarget == null) return;

        var r = SysrootPath.Resolve("/", "/lib64/ld-linux-x86-64.so.2")!;

        Assert.Equal(new SysrootLink("/lib64", new FileInfo("/lib64").LinkTarget!), r.Links[0]);
        Assert.EndsWith("/ld-linux-x86-64.so.2", r.RealPath);
        Assert.Equal(r.RealPath, r.HostPath);
        Assert.True(File.Exists(r.HostPath));
    }

    [Theory]
    [InlineData("/usr//lib/./x86_64-linux-gnu/", "/usr/lib/x86_64-linux-gnu")]
    [InlineData("/opt/foo/../deps", "/opt/foo/../deps")]
    [InlineData("/", "/")]
    public void NormalizeIsLexicalAndKeepsDotDot(string path, string expected) =>
        Assert.Equal(expected, SysrootPath.Normalize(path));
}
