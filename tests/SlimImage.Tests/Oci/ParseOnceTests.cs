using SlimImage.Base;
using SlimImage.Diagnostics;
using SlimImage.Entries;
using SlimImage.Oci;
using SlimImage.Publish;
using SlimImage.Tests.Support;
using Xunit;

namespace SlimImage.Tests.Oci;

/// <summary>
/// The values the edge parses once (issue 13): the platform and its one matching rule, SlimImageBase, and the
/// origin of a publish item.
/// </summary>
public class ParseOnceTests
{
    private static readonly Platform Arm64 = Platform.FromRuntimeIdentifier("linux-arm64");

    [Fact]
    public void ARuntimeIdentifierNamesItsPlatform()
    {
        Assert.Equal(new Platform("linux", "amd64", null), Platform.FromRuntimeIdentifier("linux-x64"));
        Assert.Equal(new Platform("linux", "arm64", "v8"), Platform.FromRuntimeIdentifier("linux-musl-arm64"));
        Assert.Equal("linux/arm/v7", Platform.FromRuntimeIdentifier("linux-arm").ToString());
        Assert.Equal("SLIM1001", Assert.Throws<SlimException>(() => Platform.FromRuntimeIdentifier("linux-s390x")).Code);
    }

    [Fact]
    public void OneMatchingRuleAnExactVariantWinsAndTwoEqualMatchesAreAmbiguous()
    {
        Assert.True(Arm64.Matches(new Platform("linux", "arm64", null)), "arm64 images often leave v8 out");
        Assert.False(Arm64.Matches(new Platform("linux", "arm64", "v9")));
        Assert.False(Arm64.Matches(new Platform("windows", "arm64", "v8")));

        var noVariant = new Platform("linux", "arm64", null);
        var exact = new Platform("linux", "arm64", "v8");
        var amd64 = new Platform("linux", "amd64", null);
        Assert.Equal([exact], Arm64.Choose([noVariant, exact, amd64], p => p));
        Assert.Equal([noVariant], Arm64.Choose([amd64, noVariant], p => p));
        Assert.Empty(Arm64.Choose([amd64], p => p));
        Assert.Equal(2, Arm64.Choose([noVariant, noVariant with { }], p => p).Count);
    }

    [Fact]
    public void SlimImageBaseIsReadOnceWithOneSetOfRules()
    {
        using var dir = new ScratchDir();
        Assert.IsType<BaseSource.Scratch>(BaseSource.Parse(null));
        Assert.IsType<BaseSource.Scratch>(BaseSource.Parse(" SCRATCH "));
        Assert.True(BaseSource.Parse("scratch").HasOwnEtc);
        var busybox = Assert.IsType<BaseSource.Busybox>(BaseSource.Parse("BusyBox", " /opt/busybox "));
        Assert.Equal("/opt/busybox", busybox.BusyboxPath);
        Assert.True(busybox.HasOwnEtc);
        var file = dir.File("base.tar", "not read here");
        var archive = Assert.IsType<BaseSource.Archive>(BaseSource.Parse(file));
        Assert.Equal(Path.GetFullPath(file), archive.Path);
        Assert.False(archive.HasOwnEtc);
        var pull = Assert.IsType<BaseSource.Pull>(BaseSource.Parse("127.0.0.1:5000/base/runtime-deps:9.0"));
        Assert.Equal("127.0.0.1:5000", pull.Reference.Registry);
        // A value that names a file which is not there is never pulled from docker.io.
        foreach (var missing in new[] { "./base.tar", dir.Combine("gone.tar"), "base.tgz", "~/base" })
            Assert.Equal("SLIM1003", Assert.Throws<SlimException>(() => BaseSource.Parse(missing)).Code);
        Assert.Equal("SLIM1003", Assert.Throws<SlimException>(() => BaseSource.Parse("Not A Reference")).Code);
    }

    [Theory]
    [InlineData(null, EntryOrigin.App)]
    [InlineData("", EntryOrigin.App)]
    [InlineData("Microsoft.NETCore.App.Runtime.linux-x64", EntryOrigin.Runtime)]
    [InlineData("Microsoft.AspNetCore.App.Runtime.linux-arm64", EntryOrigin.Runtime)]
    [InlineData("runtime.linux-x64.Microsoft.DotNet.ILCompiler", EntryOrigin.Runtime)]
    [InlineData("SkiaSharp.NativeAssets.Linux", EntryOrigin.Package)]
    public void APublishItemsOriginComesFromItsPackage(string? packageId, EntryOrigin origin) =>
        Assert.Equal(origin, PublishItem.OriginOf(packageId));

    [Fact]
    public void ARuntimePackFileKeepsItsPackageIdAndVersion()
    {
        var file = PublishItem.ToFile("/p/libcoreclr.so", "/p/libcoreclr.so", "", "Microsoft.NETCore.App.Runtime.linux-x64", "10.0.0", "native");
        Assert.Equal("libcoreclr.so", file.RelativePath);
        Assert.Equal(EntryOrigin.Runtime, file.Origin);
        Assert.Equal(new PublishAsset("Microsoft.NETCore.App.Runtime.linux-x64", "10.0.0", "native"), file.Asset);
        Assert.Equal("Microsoft.NETCore.App.Runtime.linux-x64 10.0.0", file.Package);
    }
}
