using SlimImage.Rootfs;
using SlimImage.Closure;
using SlimImage.Diagnostics;
using SlimImage.Pipeline;
using SlimImage.Publish;
using SlimImage.Runtime;
using SlimImage.Tests.Elf;
using SlimImage.Tests.Support;
using Xunit;
using SlimImage.Entries;

namespace SlimImage.Tests.Runtime;

/// <summary>Which dlopen'ed libraries and data files the runtime needs, decided against a fake sysroot.</summary>
public sealed class RuntimeDependenciesTests : IDisposable
{
    private const string Multiarch = "sys/usr/lib/x86_64-linux-gnu/";
    private readonly ElfFixture fx = new();
    private readonly List<SlimDiagnostic> diagnostics = [];

    public void Dispose() => fx.Dispose();

    private (ImageRequest Request, PublishSelection Publish, LibraryResolver Resolver) App(IEnumerable<string>? needs = null)
    {
        var app = fx.Program("pub/App", needs);
        var request = TestRequests.For(fx.Root);
        var publish = new PublishSelection([new PublishFile(app, "App", EntryOrigin.App)], []);
        var resolver = new LibraryResolver(new ClosureRequest
        {
            Sysroot = request.Sysroot, PublishDir = request.PublishDirectory, Inputs = [app],
        }, diagnostics.Add);
        return (request, publish, resolver);
    }

    private RuntimeNeeds Find(ImageRequest request, PublishSelection publish, LibraryResolver resolver) =>
        RuntimeDependencies.Find(StageOptions.Runtime(request), publish, resolver, diagnostics.Add);

    [Fact]
    public void AnAppThatLoadsNoOpenSslGetsNoneAndNoBundle()
    {
        var (request, publish, resolver) = App();
        fx.Library(Multiarch + "libssl.so.3", soname: "libssl.so.3");
        var needs = Find(request, publish, resolver);
        Assert.Empty(needs.Sonames);
        Assert.Empty(needs.DataSets);
        Assert.Null(needs.OpenSslReason);
    }

    [Fact]
    public void TakesTheFirstLibsslOfTheProbeOrderThatTheSysrootHas()
    {
        var (request, publish, resolver) = App();
        request = request with { OpenSsl = OpenSslMode.Include };
        fx.Library(Multiarch + "libssl.so.1.1", soname: "libssl.so.1.1");
        fx.Library(Multiarch + "libssl.so.10", soname: "libssl.so.10");
        var needs = Find(request, publish, resolver);
        Assert.Equal("libssl.so.1.1", Assert.Single(needs.Sonames).Soname);
        Assert.Equal(RuntimeData.CaBundlePath, Assert.Single(needs.DataSets).ImagePath);
        Assert.Equal("SlimImageOpenSsl=true", needs.OpenSslReason);
        Assert.Contains(diagnostics, d => d.Code == "SLIM2101"); // the fake sysroot has no bundle

        fx.Library(Multiarch + "libssl.so.3", soname: "libssl.so.3");
        Assert.Equal("libssl.so.3", Find(request, publish, resolver).Sonames[0].Soname);
        // The version pinned in the image's environment is what the shim tries first.
        var pinned = request with { Environment = [KeyValuePair.Create("DOTNET_OPENSSL_VERSION_OVERRIDE", "10")] };
        Assert.Equal("libssl.so.10", Find(pinned, publish, resolver).Sonames[0].Soname);
    }

    [Fact]
    public void NoLibsslInTheSysrootIsSlim2100NamingTheProbeOrder()
    {
        var (request, publish, resolver) = App();
        var e = Assert.Throws<SlimException>(() => Find(request with { OpenSsl = OpenSslMode.Include }, publish, resolver));
        Assert.Equal("SLIM2100", e.Code);
        Assert.Contains("libssl.so.3, libssl.so.1.1, libssl.so.1.0.2, libssl.so.1.0.0, libssl.so.10", e.Message);
        Assert.Contains("SlimImageOpenSsl=false", e.Message);
    }

    [Fact]
    public void CaCertificatesWithoutOpenSslAreAWarning()
    {
        var (request, publish, resolver) = App();
        var pem = fx.Write("ca.pem", "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n");
        var needs = Find(request with { OpenSsl = OpenSslMode.Exclude, CaCertificates = [pem] }, publish, resolver);
        Assert.Empty(needs.DataSets);
        var warning = Assert.Single(diagnostics);
        Assert.Equal("SLIM2102", warning.Code);
        Assert.Contains("SlimImageOpenSsl=false", warning.Message);
    }

    [Fact]
    public void KerberosAndTimeZoneDataNeedTheirFilesOnTheBuildMachine()
    {
        var (request, publish, resolver) = App();
        var gss = Assert.Throws<SlimException>(() => Find(request with { Kerberos = true }, publish, resolver));
        Assert.Equal("SLIM2104", gss.Code);
        Assert.Contains("libgssapi-krb5-2", gss.Message);
        var tz = Assert.Throws<SlimException>(() => Find(request with { TimeZoneData = true }, publish, resolver));
        Assert.Equal("SLIM2103", tz.Code);
        Assert.Contains("tzdata", tz.Message);

        fx.Library(Multiarch + "libgssapi_krb5.so.2", soname: "libgssapi_krb5.so.2");
        fx.Write("sys/usr/share/zoneinfo/zone.tab", "# none\n");
        var needs = Find(request with { Kerberos = true, TimeZoneData = true }, publish, resolver);
        Assert.Equal("libgssapi_krb5.so.2", Assert.Single(needs.Sonames).Soname);
        Assert.Equal(RuntimeData.ZoneInfoPath, Assert.Single(needs.DataSets).ImagePath);
    }

    [Fact]
    public void HintsAtTheDataFilesOfFontconfigUnlessTheUserAddedThem()
    {
        fx.Library("pub/libSkiaSharp.so", soname: "libSkiaSharp.so", needs: ["libfontconfig.so.1"]);
        fx.Library(Multiarch + "libfontconfig.so.1", soname: "libfontconfig.so.1");
        fx.Write("sys/etc/fonts/fonts.conf", "<fontconfig/>");
        var (request, _, _) = App();
        var closure = new LibraryResolver(new ClosureRequest
        {
            Sysroot = request.Sysroot, PublishDir = request.PublishDirectory, Inputs = [fx.At("pub/libSkiaSharp.so")],
        }).Resolve();

        var hint = Assert.Single(DataFileHints.For(closure, StageOptions.Runtime(request)));
        Assert.Equal(("SLIM1204", SlimSeverity.Message), (hint.Code, hint.Severity));
        Assert.Contains("'libfontconfig.so.1' (needed by libSkiaSharp.so)", hint.Message);
        Assert.Contains("/etc/fonts, /usr/share/fonts", hint.Message);
        Assert.Contains($"<SlimImageFile Include=\"{fx.At("sys/etc/fonts")}\" DestinationPath=\"/etc/fonts\" />", hint.Message);
        Assert.Contains("<SlimImageFile Include=\"your fonts\" DestinationPath=\"/usr/share/fonts\" />", hint.Message);

        var added = request with { Files = [new ExtraFile("/x", "/etc/fonts/"), new ExtraFile("/y", "/usr/share")] };
        Assert.Empty(DataFileHints.For(closure, StageOptions.Runtime(added)));
    }
}
