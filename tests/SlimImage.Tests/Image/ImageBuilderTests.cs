using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SlimImage.Image;
using Xunit;
using SlimImage.Oci;

namespace SlimImage.Tests.Image;

public class ImageBuilderTests
{
    private static readonly Digest D1 = Digest.Of("layer one"u8);
    private static readonly Digest U1 = Digest.Of("tar one"u8);
    private static readonly Digest D2 = Digest.Of("layer two"u8);
    private static readonly Digest U2 = Digest.Of("tar two"u8);

    private static readonly LayerBlob[] Layers =
    [
        new(D1, U1, 100, 300, MediaTypes.LayerGzip, "/nowhere/1"),
        new(D2, U2, 200, 600, MediaTypes.LayerGzip, "/nowhere/2"),
    ];

    private static ImageConfig Config => new()
    {
        Architecture = "arm64",
        Variant = "v8",
        User = "1654",
        WorkingDir = "/app",
        Entrypoint = ["/app/hello"],
        Cmd = ["--urls", "http://+:8080"],
        Env = ["PATH=/usr/bin", "APP_UID=1654", "A=<&>"],
        Labels = new Dictionary<string, string> { ["org.opencontainers.image.version"] = "1.0", ["b"] = "2", ["a"] = "1" },
        ExposedPorts = ["8080/tcp", "53/udp", "8080/tcp"],
        Created = new DateTimeOffset(2024, 1, 2, 5, 4, 5, 678, TimeSpan.FromHours(2)),
        History = ["SlimImage: system files", "SlimImage: app"],
    };

    [Fact]
    public void ConfigBytesAreCompactWithAFixedPropertyOrder()
    {
        var image = ImageBuilder.Build(Config, Layers);
        // Written with ' for " to keep it readable.
        var expected = (
            "{'created':'2024-01-02T03:04:05Z','architecture':'arm64','os':'linux','variant':'v8',"
            + "'config':{'User':'1654','ExposedPorts':{'53/udp':{},'8080/tcp':{}},'Env':['PATH=/usr/bin','APP_UID=1654','A=<&>'],"
            + "'Entrypoint':['/app/hello'],'Cmd':['--urls','http://+:8080'],'WorkingDir':'/app',"
            + "'Labels':{'a':'1','b':'2','org.opencontainers.image.version':'1.0'}},"
            + $"'rootfs':{{'type':'layers','diff_ids':['{U1}','{U2}']}},"
            + "'history':[{'created':'2024-01-02T03:04:05Z','created_by':'SlimImage: system files'},"
            + "{'created':'2024-01-02T03:04:05Z','created_by':'SlimImage: app'}]}").Replace('\'', '"');
        Assert.Equal(expected, Encoding.UTF8.GetString(image.ConfigBytes.Span));
        Assert.Equal(MediaTypes.Config, image.Config.MediaType);
        Assert.Equal(image.ConfigBytes.Length, image.Config.Size);
        Assert.Equal("sha256:" + Convert.ToHexString(SHA256.HashData(image.ConfigBytes.Span)).ToLowerInvariant(), image.Config.Digest.ToString());
    }

    [Fact]
    public void ManifestPointsAtTheConfigAndTheCompressedLayers()
    {
        var image = ImageBuilder.Build(Config, Layers);
        var expected = (
            "{'schemaVersion':2,'mediaType':'application/vnd.oci.image.manifest.v1+json',"
            + $"'config':{{'mediaType':'application/vnd.oci.image.config.v1+json','digest':'{image.Config.Digest}','size':{image.Config.Size}}},"
            + $"'layers':[{{'mediaType':'application/vnd.oci.image.layer.v1.tar+gzip','digest':'{D1}','size':100}},"
            + $"{{'mediaType':'application/vnd.oci.image.layer.v1.tar+gzip','digest':'{D2}','size':200}}]}}").Replace('\'', '"');
        Assert.Equal(expected, Encoding.UTF8.GetString(image.ManifestBytes.Span));
        Assert.Equal(Digest.Of(image.ManifestBytes.Span), image.Manifest.Digest);
        Assert.Equal(300, image.CompressedSize);
        Assert.Equal(900, image.UncompressedSize);
    }

    [Fact]
    public void SameInputsGiveTheSameDigestsAndLabelOrderDoesNotMatter()
    {
        var reordered = Config with
        {
            Labels = new Dictionary<string, string> { ["a"] = "1", ["org.opencontainers.image.version"] = "1.0", ["b"] = "2" },
            ExposedPorts = ["53/udp", "8080/tcp"],
        };
        Assert.Equal(ImageBuilder.Build(Config, Layers).Manifest, ImageBuilder.Build(reordered, Layers).Manifest);
        Assert.NotEqual(ImageBuilder.Build(Config, Layers).Manifest,
            ImageBuilder.Build(Config with { Env = ["APP_UID=1654", "PATH=/usr/bin", "A=<&>"] }, Layers).Manifest);
    }

    [Fact]
    public void MinimalConfigOmitsWhatIsNotSetAndDefaultsToTheEpoch()
    {
        var image = ImageBuilder.Build(new ImageConfig { Architecture = "amd64", Entrypoint = ["/app/a"], Cmd = [] }, []);
        Assert.Equal(
            """{"created":"1970-01-01T00:00:00Z","architecture":"amd64","os":"linux","config":{"Entrypoint":["/app/a"]},"rootfs":{"type":"layers","diff_ids":[]}}""",
            Encoding.UTF8.GetString(image.ConfigBytes.Span));
        using var doc = JsonDocument.Parse(image.ManifestBytes);
        Assert.Equal(0, doc.RootElement.GetProperty("layers").GetArrayLength());
    }

    [Fact]
    public void HistoryMustHaveOneEntryPerLayerOrNone()
    {
        Assert.Throws<ArgumentException>(() => ImageBuilder.Build(Config with { History = ["only one"] }, Layers));
        Assert.DoesNotContain("history", Encoding.UTF8.GetString(ImageBuilder.Build(Config with { History = [] }, Layers).ConfigBytes.Span));
    }

    [Fact]
    public void NonAsciiAndQuotesAreValidJsonThatRoundTrips()
    {
        var image = ImageBuilder.Build(Config with { Labels = new Dictionary<string, string> { ["description"] = "café \"quoted\" \n ✓" } }, Layers);
        using var doc = JsonDocument.Parse(image.ConfigBytes);
        Assert.Equal("café \"quoted\" \n ✓", doc.RootElement.GetProperty("config").GetProperty("Labels").GetProperty("description").GetString());
    }

    [Fact]
    public void DigestParsesAndPrints()
    {
        Assert.Equal(D1, Digest.Parse(D1.ToString()));
        Assert.ThrowsAny<FormatException>(() => Digest.Parse("nohash"));
    }
}
