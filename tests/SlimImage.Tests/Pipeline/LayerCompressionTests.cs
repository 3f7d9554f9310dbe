using SlimImage.Diagnostics;
using Xunit;
using SlimImage.Oci;

namespace SlimImage.Tests.Pipeline;

public class LayerCompressionTests
{
    [Theory]
    [InlineData(null, null, CompressionFormat.Gzip, 6)]
    [InlineData("", "", CompressionFormat.Gzip, 6)]
    [InlineData("GZIP", "9", CompressionFormat.Gzip, 9)]
    [InlineData(" zstd ", "19", CompressionFormat.Zstd, 19)]
    [InlineData(" zstd ", "", CompressionFormat.Zstd, 3)]
    [InlineData("none", "", CompressionFormat.None, 0)]
    public void NamesAndLevelsAreRead(string? compression, string? level, CompressionFormat expected, int expectedLevel)
    {
        var parsed = LayerCompression.Parse(compression, level);
        Assert.Equal((expected, expectedLevel), (parsed.Format, parsed.Level));
    }

    [Fact]
    public void TheDefaultLevelIsTheSameValueAsNoLevel() =>
        Assert.Equal(LayerCompression.Of(CompressionFormat.Gzip, 6), LayerCompression.Parse("gzip", null));

    [Theory]
    [InlineData(CompressionFormat.Gzip, 0)]
    [InlineData(CompressionFormat.Gzip, 10)]
    [InlineData(CompressionFormat.Zstd, 23)]
    public void ACodeLevelOutOfRangeIsRefusedToo(CompressionFormat format, int level) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => LayerCompression.Of(format, level == 0 ? -1 : level));

    [Theory]
    [InlineData("application/vnd.oci.image.layer.v1.tar+gzip", CompressionFormat.Gzip)]
    [InlineData("application/vnd.docker.image.rootfs.diff.tar.gzip", CompressionFormat.Gzip)]
    [InlineData("application/vnd.oci.image.layer.v1.tar+zstd", CompressionFormat.Zstd)]
    [InlineData("application/vnd.docker.image.rootfs.diff.tar.zstd", CompressionFormat.Zstd)]
    [InlineData("application/vnd.oci.image.layer.v1.tar", CompressionFormat.None)]
    public void EveryLayerMediaTypeHasOneDecompressor(string mediaType, CompressionFormat format)
    {
        Assert.Equal(format, LayerCompression.FormatOf(mediaType));
        var tar = new byte[1024];
        tar[0] = 42;
        using var blob = new MemoryStream();
        using (var compressor = format switch
        {
            CompressionFormat.Gzip => new System.IO.Compression.GZipStream(blob, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true),
            CompressionFormat.Zstd => (Stream)new ZstdSharp.CompressionStream(blob, leaveOpen: true),
            _ => null,
        })
            (compressor ?? blob).Write(tar);
        blob.Position = 0;
        using var read = LayerCompression.OpenUncompressed(mediaType, blob);
        var back = new MemoryStream();
        read.CopyTo(back);
        Assert.Equal(tar, back.ToArray());
    }

    [Fact]
    public void AManifestMediaTypeIsNotALayer() => Assert.Null(LayerCompression.FormatOf(MediaTypes.Manifest));

    [Fact]
    public void AnUnknownCompressionIsSlim1400NamingTheChoices()
    {
        var e = Assert.Throws<SlimException>(() => LayerCompression.Parse("brotli", null));
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
        var e = Assert.Throws<SlimException>(() => LayerCompression.Parse(compression, level));
        Assert.Equal("SLIM1401", e.Code);
        Assert.Contains($"'{level}'", e.Message);
        Assert.Contains(range, e.Message);
    }
}
