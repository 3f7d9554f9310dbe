using SlimImage.Diagnostics;
using SlimImage.Layers;
using SlimImage.Pipeline;
using Xunit;
using SlimImage.Oci;

namespace SlimImage.Tests.Pipeline;

public class CompressionSettingsTests
{
    [Theory]
    [InlineData(null, null, LayerCompression.Gzip, 0)]
    [InlineData("", "", LayerCompression.Gzip, 0)]
    [InlineData("GZIP", "9", LayerCompression.Gzip, 9)]
    [InlineData(" zstd ", "19", LayerCompression.Zstd, 19)]
    [InlineData("none", "", LayerCompression.None, 0)]
    public void NamesAndLevelsAreRead(string? compression, string? level, LayerCompression expected, int expectedLevel) =>
        Assert.Equal((expected, expectedLevel), CompressionSettings.Parse(compression, level));

    [Fact]
    public void AnUnknownCompressionIsSlim1400NamingTheChoices()
    {
        var e = Assert.Throws<SlimException>(() => CompressionSettings.Parse("brotli", null));
        Assert.Equal("SLIM1400", e.Code);
        Assert.Contains("'brotli'", e.Message);
        Assert.Contains("zstd", e.Message);
    }

    [Theory]
    [InlineData("gzip", "0", "1 to 9")]
    [InlineData("gzip", "10", "1 to 9")]
    [InlineData("zstd", "23", "1 to 22")]
    [InlineData("zstd", "fast", "1 to 22")]
    [InlineData("gzip", "-1", "1 to 9")]
    [InlineData("none", "5", "leave it empty")]
    public void ALevelOutsideTheFormatsRangeIsSlim1401(string compression, string level, string range)
    {
        var e = Assert.Throws<SlimException>(() => CompressionSettings.Parse(compression, level));
        Assert.Equal("SLIM1401", e.Code);
        Assert.Contains($"'{level}'", e.Message);
        Assert.Contains(range, e.Message);
    }
}
