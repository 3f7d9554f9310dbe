using SlimImage.Registry;
using SlimImage.Registry.Credentials;
using Xunit;

namespace SlimImage.Tests.Registry;

public class ReferenceTests
{
    [Theory]
    [InlineData("localhost:5000/base:1.0", "localhost:5000", "base", "1.0")]
    [InlineData("127.0.0.1:5000/team/base", "127.0.0.1:5000", "team/base", "latest")]
    [InlineData("registry.example.com/a/b/c:v1-2.3", "registry.example.com", "a/b/c", "v1-2.3")]
    [InlineData("ubuntu:24.04", "docker.io", "library/ubuntu", "24.04")]
    [InlineData("someone/tool", "docker.io", "someone/tool", "latest")]
    [InlineData("index.docker.io/library/busybox:1", "docker.io", "library/busybox", "1")]
    [InlineData("[::1]:5000/base:2", "[::1]:5000", "base", "2")]
    public void ParsesLikeTheDockerCli(string text, string registry, string repository, string tag)
    {
        var r = ImageReference.Parse(text);
        Assert.Equal((registry, repository, tag), (r.Registry, r.Repository, r.Tag));
        Assert.Null(r.Digest);
    }

    [Fact]
    public void DigestReferencesArePinned()
    {
        var hex = new string('a', 64);
        var r = ImageReference.Parse($"localhost:5000/base:1@sha256:{hex}");
        Assert.Equal(("1", "sha256:" + hex), (r.Tag, r.Digest.ToString()));
        Assert.Equal("sha256:" + hex, r.ManifestReference);
        Assert.Null(ImageReference.Parse($"localhost:5000/base@sha256:{hex}").Tag);
    }

    [Theory]
    [InlineData("http://localhost:5000/base")]
    [InlineData("localhost:5000/Base")]
    [InlineData("localhost:5000/base@sha256:1234")]
    [InlineData("localhost:5000/base:-bad")]
    [InlineData("")]
    public void RejectsWhatIsNotAReference(string text)
    {
        Assert.Null(ImageReference.TryParse(text));
        if (text.Length > 0) Assert.Equal("SLIM1503", Assert.Throws<SlimImage.Diagnostics.SlimException>(() => ImageReference.Parse(text)).Code);
    }

    [Theory]
    [InlineData("registry.example.com", true)]
    [InlineData("localhost:5000", true)]
    [InlineData("[::1]:5000", true)]
    [InlineData("10.0.0.1:443", true)]
    [InlineData("https://registry.example.com", false)]
    [InlineData("registry.example.com/team", false)]
    [InlineData("host:port", false)]
    public void RegistryHosts(string host, bool valid) => Assert.Equal(valid, RegistryHost.IsValid(host));

    [Fact]
    public void ParsesChallenges()
    {
        var bearer = AuthChallenge.Parse("Bearer realm=\"https://auth.example.com/token\",service=\"registry.example.com\",scope=\"repository:a/b:pull,push\"")!;
        Assert.True(bearer.IsBearer);
        Assert.Equal("https://auth.example.com/token", bearer.Realm);
        Assert.Equal("registry.example.com", bearer.Service);
        Assert.Equal("repository:a/b:pull,push", bearer.Parameters["scope"]);
        var basic = AuthChallenge.Parse("Basic realm=\"slimimage-test\"")!;
        Assert.True(basic.IsBasic);
        Assert.Equal("slimimage-test", basic.Realm);
    }

    [Theory]
    [InlineData("https://index.docker.io/v1/", "docker.io")]
    [InlineData("registry.example.com", "registry.example.com")]
    [InlineData("http://localhost:5000", "localhost:5000")]
    [InlineData("https://registry.example.com/v2/", "registry.example.com")]
    public void DockerConfigKeys(string key, string host) => Assert.Equal(host, DockerConfig.Key(key));
}
