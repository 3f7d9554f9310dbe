using SlimImage.Rootfs;
using Xunit;

namespace SlimImage.Tests.Planning;

public class RootfsPlannerTests
{
    [Theory]
    [InlineData("/usr/lib/x86_64-linux-gnu/libfoo.so.1", "libfoo.so.1.2", "libfoo.so.1.2")]
    [InlineData("/lib", "usr/lib", "usr/lib")]
    [InlineData("/usr/lib64/ld.so", "../lib/x86_64-linux-gnu/ld.so", "../lib/x86_64-linux-gnu/ld.so")]
    [InlineData("/usr/lib64/ld.so", "/lib/x86_64-linux-gnu/ld.so", "/lib/x86_64-linux-gnu/ld.so")]
    // Climbing above the root: made absolute, so it stays inside the image on every extractor.
    [InlineData("/lib/evil", "../../../etc/shadow", "/etc/shadow")]
    [InlineData("/a", "../b", "/b")]
    public void LinkTargetsNeverClimbOutOfTheImage(string link, string target, string expected) =>
        Assert.Equal(expected, RootfsPlanner.SafeLinkTarget(link, target));

    [Fact]
    public void ModesAreNormalisedAndNeverSetuid()
    {
        var dir = Support.Repo.NewTempDir("modes");
        var exe = Path.Combine(dir, "exe");
        var data = Path.Combine(dir, "data");
        File.WriteAllText(exe, "x");
        File.WriteAllText(data, "x");
        File.SetUnixFileMode(exe, UnixFileMode.SetUser | UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherWrite);
        File.SetUnixFileMode(data, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite);
        Assert.Equal(0b111_101_101, RootfsPlanner.ModeOf(exe));
        Assert.Equal(0b110_100_100, RootfsPlanner.ModeOf(data));
    }
}
