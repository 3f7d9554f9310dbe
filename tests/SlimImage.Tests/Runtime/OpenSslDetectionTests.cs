using System.Security.Cryptography;
using System.Text;
using SlimImage.Publish;
using SlimImage.Runtime;
using SlimImage.Tests.Elf;
using Xunit;
using SlimImage.Entries;

namespace SlimImage.Tests.Runtime;

/// <summary>Whether an app can load OpenSSL, read from its publish output (managed imports, strings of ELF files).</summary>
public sealed class OpenSslDetectionTests : IDisposable
{
    private readonly ElfFixture fx = new();

    public void Dispose() => fx.Dispose();

    private static PublishSelection Kept(params PublishFile[] files) => new(files, []);

    private PublishFile Copy(string source, string relative)
    {
        var path = fx.At("pub/" + relative);
        File.Copy(source, path, overwrite: true);
        return new PublishFile(path, relative, EntryOrigin.Runtime);
    }

    private PublishFile Shim(string strings)
    {
        var path = fx.At("pub/" + OpenSslDetection.ShimFile);
        File.WriteAllBytes(path, [0x7F, (byte)'E', (byte)'L', (byte)'F', 0, .. Encoding.ASCII.GetBytes(strings)]);
        return new PublishFile(path, OpenSslDetection.ShimFile, EntryOrigin.Runtime);
    }

    [Fact]
    public void FindsOnlyWholeNulTerminatedNames()
    {
        Assert.True(OpenSslDetection.ContainsCString("\0libssl.so.3\0"u8, "libssl.so.3"));
        Assert.True(OpenSslDetection.ContainsCString("libssl.so.3\0"u8, "libssl.so.3"));
        Assert.False(OpenSslDetection.ContainsCString("\0libssl.so.3x\0"u8, "libssl.so.3"));
        Assert.False(OpenSslDetection.ContainsCString("\0mylibssl.so.3\0"u8, "libssl.so.3"));
        Assert.True(OpenSslDetection.ContainsCString("\0mylibssl.so.3\0libssl.so.3\0"u8, "libssl.so.3"));
        Assert.False(OpenSslDetection.ContainsCString("\0libssl.so.3"u8, "libssl.so.3"));
    }

    [Fact]
    public void FindsNamesAcrossTheReadChunksOfLargeFiles()
    {
        const int chunk = 1 << 20;
        var bytes = new byte[chunk + 100];
        "libssl.so.1.1\0"u8.CopyTo(bytes.AsSpan(chunk - 5)); // straddles the first read
        bytes[chunk - 65] = (byte)'x';
        "libssl.so.3\0"u8.CopyTo(bytes.AsSpan(chunk - 64)); // "xlibssl.so.3": starts the overlap of the second read
        var path = fx.At("pub/libbig.so");
        File.WriteAllBytes(path, bytes);
        Assert.Equal(["libssl.so.1.1"], OpenSslDetection.ProbeNamesIn(path));
    }

    [Fact]
    public void ReadsTheShimImportFromAssemblyMetadata()
    {
        Assert.True(OpenSslDetection.ImportsShim(typeof(SHA256).Assembly.Location));
        Assert.False(OpenSslDetection.ImportsShim(typeof(object).Assembly.Location));
        Assert.False(OpenSslDetection.ImportsShim(typeof(Assert).Assembly.Location));
        Assert.False(OpenSslDetection.ImportsShim(fx.Write("pub/fake.dll", "not a PE file")));
    }

    [Fact]
    public void SelfContainedLoadsOpenSslWhenAnAssemblyImportsTheShim()
    {
        var shim = Shim("libssl.so.1.1\0libssl.so.3\0");
        var crypto = Copy(typeof(SHA256).Assembly.Location, "System.Security.Cryptography.dll");
        var use = OpenSslDetection.Detect(Kept(shim, crypto));
        Assert.True(use.Loads);
        Assert.Contains("System.Security.Cryptography.dll", use.Reason);
        Assert.Equal(["libssl.so.3", "libssl.so.1.1"], use.ProbeOrder); // the shim's order, not the file's
    }

    [Fact]
    public void TrimmedSelfContainedAppWithoutCryptoDoesNotLoadOpenSsl()
    {
        var shim = Shim("libssl.so.3\0");
        var lib = Copy(typeof(Assert).Assembly.Location, "xunit.assert.dll");
        var use = OpenSslDetection.Detect(Kept(shim, lib));
        Assert.False(use.Loads);
        Assert.Contains("trimmed", use.Reason);
    }

    [Fact]
    public void ShimWithNoReadableAssemblyIsTakenToLoadIt()
    {
        var use = OpenSslDetection.Detect(Kept(Shim("libssl.so.3\0")));
        Assert.True(use.Loads);
        Assert.Contains("no assembly whose imports can be read", use.Reason);
    }

    [Fact]
    public void NativeAotBinaryLoadsOpenSslWhenItNamesTheSonames()
    {
        var withShim = Gcc.Build(fx.At("pub/AotApp"),
            "const char *names[] = { \"libssl.so.3\", \"libssl.so.1.1\" };\nconst char **slim_names(void) { return names; }\n",
            ["-shared", "-fPIC", "-nostdlib"]);
        var use = OpenSslDetection.Detect(Kept(new PublishFile(withShim, "AotApp", EntryOrigin.App)));
        Assert.True(use.Loads);
        Assert.Equal(["libssl.so.3", "libssl.so.1.1"], use.ProbeOrder);
        Assert.Contains("AotApp dlopens libssl.so.3", use.Reason);

        var plain = fx.Library("pub2/AotHello");
        var none = OpenSslDetection.Detect(Kept(new PublishFile(plain, "AotHello", EntryOrigin.App)));
        Assert.False(none.Loads);
        Assert.Equal(OpenSslDetection.StandardProbeOrder, none.ProbeOrder);
    }
}
