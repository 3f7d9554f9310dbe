using Xunit;
using SlimImage.Oci;

namespace SlimImage.Tests.Image;

/// <summary>A digest is sha256: and 64 lower-case hex, nothing else: it becomes file names.</summary>
public class DigestTests
{
    private const string Hex64 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Fact]
    public void Sha256WithLowerCaseHexIsADigest()
    {
        var d = Digest.Parse("sha256:" + Hex64);
        Assert.Equal("sha256", d.Algorithm);
        Assert.Equal(Hex64, d.Hex);
        Assert.Equal("sha256:" + Hex64, d.ToString());
        Assert.Equal(Digest.Of("abc"u8), Digest.Parse("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    }

    [Theory]
    [InlineData("sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef")] // upper case
    [InlineData("SHA256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("sha256:0123456789abcdef")] // short
    [InlineData("sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0")] // long
    [InlineData("sha512:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")] // sha512 of 64
    [InlineData("sha512:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")] // sha512: not checkable
    [InlineData("sha256:x/../../etc/passwd")]
    [InlineData("sha256:../../../../../../../../../../../../../../../../../../../../../../../tmp/x")]
    [InlineData("sha256:0123456789abcdef0123456789abcdef0123456789abcdef012345678/../cdef")] // 64 chars with a '/'
    [InlineData("sha256:/etc/passwd00000000000000000000000000000000000000000000000000000")]
    [InlineData("md5:0123456789abcdef0123456789abcdef")] // unknown algorithm
    [InlineData("sha384:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("sha256+b64u:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData(" sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n")]
    [InlineData("sha256:")]
    [InlineData(":0123")]
    [InlineData("")]
    [InlineData(null)]
    public void AnythingElseIsRefusedNamingItsField(string? text)
    {
        Assert.False(Digest.TryParse(text, out var none));
        Assert.Equal(default, none);
        var e = Assert.Throws<InvalidDigestException>(() => Digest.Parse(text, "layers[2].digest"));
        Assert.Equal("layers[2].digest", e.Field);
        Assert.Contains("layers[2].digest", e.Message);
        Assert.IsAssignableFrom<FormatException>(e);
    }

    [Fact]
    public void AHugeValueIsShortenedInTheMessage()
    {
        var e = Assert.Throws<InvalidDigestException>(() => Digest.Parse("sha256:" + new string('a', 100_000), "config.digest"));
        Assert.True(e.Value.Length <= 101, e.Value.Length.ToString());
        Assert.True(e.Message.Length < 300);
    }
}
