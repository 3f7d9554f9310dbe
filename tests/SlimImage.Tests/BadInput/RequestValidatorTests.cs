using SlimImage.Diagnostics;
using SlimImage.Pipeline;
using SlimImage.Rootfs;
using SlimImage.Tests.Support;
using Xunit;

namespace SlimImage.Tests.BadInput;

/// <summary>User input that must give a clear SLIM error naming what is wrong, before any image work.</summary>
public class RequestValidatorTests
{
    private static ImageRequest Valid() => TestRequests.Minimal("/nonexistent/publish", "/tmp/app.tar");

    private static SlimException Fails(ImageRequest request) =>
        Assert.Throws<SlimException>(() => RequestValidator.Validate(request));

    [Fact]
    public void AValidRequestPasses() => RequestValidator.Validate(Valid() with { Repository = "my-org/app.web_x", Tags = ["1.0.0-rc.1", "latest"] });

    [Theory]
    [InlineData("MyApp", "upper-case")]
    [InlineData("my app", "not of the form")]
    [InlineData("-app", "not of the form")]
    [InlineData("app-", "not of the form")]
    [InlineData("a//b", "not of the form")]
    [InlineData("a...b", "not of the form")]
    public void InvalidRepositoryIsSlim1008(string repository, string why)
    {
        var e = Fails(Valid() with { Repository = repository });
        Assert.Equal("SLIM1008", e.Code);
        Assert.Contains(repository, e.Message);
        Assert.Contains(why, e.Message);
        Assert.Contains("SlimImageRepository", e.Message);
    }

    [Fact]
    public void OverlongRepositoryIsSlim1008() =>
        Assert.Equal("SLIM1008", Fails(Valid() with { Repository = new string('a', 256) }).Code);

    [Theory]
    [InlineData(".hidden")]
    [InlineData("-dash")]
    [InlineData("has space")]
    [InlineData("a:b")]
    public void InvalidTagIsSlim1009(string tag)
    {
        var e = Fails(Valid() with { Tags = ["ok", tag] });
        Assert.Equal("SLIM1009", e.Code);
        Assert.Contains("SlimImageTags", e.Message);
    }

    [Fact]
    public void OverlongTagIsSlim1009() => Assert.Equal("SLIM1009", Fails(Valid() with { Tags = [new string('t', 129)] }).Code);

    [Theory]
    [InlineData("0", null)]
    [InlineData("65536", null)]
    [InlineData("http", null)]
    [InlineData("80", "sctp")]
    [InlineData("-1", "tcp")]
    public void InvalidPortIsSlim1010(string number, string? type)
    {
        var e = Assert.Throws<SlimException>(() => RequestValidator.ParsePort(number, type));
        Assert.Equal("SLIM1010", e.Code);
        Assert.Contains(number, e.Message);
    }

    [Theory]
    [InlineData("8080", null, "8080/tcp")]
    [InlineData(" 53 ", "UDP", "53/udp")]
    public void ValidPortsParse(string number, string? type, string expected) =>
        Assert.Equal(expected, RequestValidator.ParsePort(number, type).ToString());

    [Theory]
    [InlineData("1BAD")]
    [InlineData("WITH-DASH")]
    [InlineData("A=B")]
    [InlineData("")]
    public void InvalidEnvironmentNameIsSlim1011(string name)
    {
        var e = Fails(Valid() with { Environment = [KeyValuePair.Create(name, "v")] });
        Assert.Equal("SLIM1011", e.Code);
        Assert.Contains("SlimImageEnvironmentVariable", e.Message);
    }

    [Fact]
    public void EmptyLabelNameIsSlim1012() =>
        Assert.Equal("SLIM1012", Fails(Valid() with { Labels = [KeyValuePair.Create(" ", "v")] }).Code);

    [Theory]
    [InlineData("-5")]
    [InlineData("12.5")]
    [InlineData("yesterday")]
    [InlineData("99999999999999999999")]
    public void InvalidSourceDateEpochIsSlim1013(string value)
    {
        var e = Assert.Throws<SlimException>(() => RequestValidator.ParseSourceDateEpoch(value));
        Assert.Equal("SLIM1013", e.Code);
        Assert.Contains(value, e.Message);
    }

    [Fact]
    public void SourceDateEpochSetsTheTimestamp()
    {
        Assert.Equal(DateTimeOffset.UnixEpoch, RequestValidator.ParseSourceDateEpoch(null));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000000), RequestValidator.ParseSourceDateEpoch("1700000000"));
    }

    [Theory]
    [InlineData("nobody")]
    [InlineData("app:staff")]
    [InlineData("1654:")]
    [InlineData("a:b:c")]
    public void UnresolvableUserIsSlim1014(string user)
    {
        var e = Fails(Valid() with { User = user });
        Assert.Equal("SLIM1014", e.Code);
        Assert.Contains("app (1654)", e.Message);
    }

    [Theory]
    [InlineData("app")]
    [InlineData("root")]
    [InlineData("1000")]
    [InlineData("1654:1654")]
    [InlineData("app:app")]
    public void ResolvableUsersPass(string user) => RequestValidator.Validate(Valid() with { User = user });

    [Fact]
    public void RelativeWorkingDirectoryIsSlim1015() =>
        Assert.Equal("SLIM1015", Fails(Valid() with { WorkingDirectory = "srv" }).Code);

    [Fact]
    public void RelativeEntrypointIsSlim1018() =>
        Assert.Equal("SLIM1018", Fails(Valid() with { Entrypoint = ["App"] }).Code);

    [Fact]
    public void MissingSlimImageFileIsSlim1006AndMissingDestinationSlim1007()
    {
        var missing = Fails(Valid() with { Files = [new ExtraFile("/nonexistent/file.txt", "/etc/x")] });
        Assert.Equal("SLIM1006", missing.Code);
        Assert.Contains("/nonexistent/file.txt", missing.Message);
        var noDestination = Fails(Valid() with { Files = [new ExtraFile("/etc/hostname", "")] });
        Assert.Equal("SLIM1007", noDestination.Code);
    }

    [Fact]
    public void MissingSysrootIsSlim1017() =>
        Assert.Equal("SLIM1017", Fails(Valid() with { Sysroot = "/nonexistent/sysroot" }).Code);

    [Fact]
    public void EtcFilesKnowTheirUsers()
    {
        Assert.True(EtcFiles.CanResolve("1654", out _));
        Assert.False(EtcFiles.CanResolve("", out _));
    }
}
