using SlimImage.Closure;
using SlimImage.Tests.Elf;
using Xunit;

namespace SlimImage.Tests.Closure;

public sealed class LdSoConfTests : IDisposable
{
    private readonly ElfFixture fx = new();

    public void Dispose() => fx.Dispose();

    private string Sys => Path.Combine(fx.Root, "sys");

    [Theory]
    [InlineData("*.conf", "x86_64-linux-gnu.conf", true)]
    [InlineData("*.conf", "libc.conf.bak", false)]
    [InlineData("*.conf", ".conf", true)] // the leading-dot rule is Glob's, not the matcher's
    [InlineData("lib?.conf", "lib3.conf", true)]
    [InlineData("lib?.conf", "lib.conf", false)]
    [InlineData("[0-9]*-*.conf", "10-local.conf", true)]
    [InlineData("[0-9]*-*.conf", "a0-local.conf", false)]
    [InlineData("[!a-c]*", "d.conf", true)]
    [InlineData("[!a-c]*", "b.conf", false)]
    [InlineData("[^a-c]*", "b.conf", false)]
    [InlineData("[]x]y", "]y", true)]
    [InlineData("a*b*c", "aXbYbZc", true)]
    [InlineData("a*b*c", "aXbYbZ", false)]
    [InlineData("*", "", true)]
    [InlineData("[ab", "[ab", true)] // no closing bracket: a literal '['
    public void GlobComponentsMatchLikeGlob3(string pattern, string name, bool expected) =>
        Assert.Equal(expected, LdSoConf.Matches(pattern, name));

    [Fact]
    public void FollowsIncludeGlobsInSortedOrderAndSkipsCommentsAndHwcap()
    {
        fx.Write("sys/etc/ld.so.conf", """
            # the main file
            include ld.so.conf.d/*.conf
            hwcap 1 nosegneg
            /opt/last/   # trailing comment
            /opt/typed=libc6
            """);
        fx.Write("sys/etc/ld.so.conf.d/b.conf", "/opt/b\n");
        fx.Write("sys/etc/ld.so.conf.d/a.conf", "/opt/a\ninclude /etc/extra/*.conf /etc/missing/*.conf\n");
        fx.Write("sys/etc/ld.so.conf.d/.hidden.conf", "/opt/hidden\n");
        fx.Write("sys/etc/ld.so.conf.d/notes.txt", "/opt/not-a-conf\n");
        fx.Write("sys/etc/extra/x.conf", "/opt/x\n/opt/a\n");

        Assert.Equal(["/opt/a", "/opt/x", "/opt/b", "/opt/last", "/opt/typed"], LdSoConf.Read(Sys));
    }

    [Fact]
    public void ResolvesIncludesThroughLinksInsideTheSysroot()
    {
        fx.Write("sys/etc/ld.so.conf", "include /etc/conf.d/*.conf\n");
        fx.Write("sys/usr/share/ldconf/one.conf", "/opt/one\n");
        fx.Symlink("sys/etc/conf.d", "/usr/share/ldconf");

        Assert.Equal(["/opt/one"], LdSoConf.Read(Sys));
    }

    [Fact]
    public void SurvivesAnIncludeCycleAndAMissingFile()
    {
        fx.Write("sys/etc/ld.so.conf", "include /etc/ld.so.conf\n/opt/once\n");

        Assert.Equal(["/opt/once"], LdSoConf.Read(Sys));
        Assert.Empty(LdSoConf.Read(Path.Combine(fx.Root, "empty-sysroot")));
    }

    [Fact]
    public void ReadsTheHostConfiguration()
    {
        // Debian's libc6 ships /etc/ld.so.conf.d/x86_64-linux-gnu.conf; elsewhere there is nothing to compare.
        if (!File.Exists("/etc/ld.so.conf.d/x86_64-linux-gnu.conf")) return;

        Assert.Contains("/usr/lib/x86_64-linux-gnu", LdSoConf.Read());
    }
}
