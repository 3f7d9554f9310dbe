using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using SlimImage.Tests.Support;
using Xunit;

namespace SlimImage.Tests.EndToEnd;

/// <summary>
/// Apps that need what no ELF header names, published for real and run in their own root: OpenSSL with the CA
/// bundle (and a private CA), zoneinfo, GSSAPI, a NuGet package's native library, ASP.NET Core; and what a
/// default image leaves out (debugger support, trace provider, time zones).
/// </summary>
public class RuntimeNeedsTests
{
    private static readonly string ExpectedSha256 = Convert.ToHexString(SHA256.HashData("slimimage"u8));

    [Fact]
    public void SelfContainedAppHasOpenSslPrivateCaTimeZonesSqliteAndGssapi()
    {
        var project = TestProject.Create("ScRuntime", RuntimePrograms.Crypto + RuntimePrograms.SqliteAndKerberos,
            properties: new Dictionary<string, string>
            {
                ["InvariantGlobalization"] = "true",
                ["SlimImageTimeZoneData"] = "true",
                ["SlimImageKerberos"] = "true",
                ["SlimImageTrimDiagnostics"] = "true",
            },
            items:
            [
                new XElement("PackageReference", new XAttribute("Include", "Microsoft.Data.Sqlite"), new XAttribute("Version", "10.0.0")),
                new XElement("SlimImageCaCertificate", new XAttribute("Include", "certs/test-ca.pem")),
            ]);
        Directory.CreateDirectory(Path.Combine(project.Directory, "certs"));
        using var server = new TlsTestServer(Path.Combine(project.Directory, "certs/test-ca.pem"));

        var publish = project.Publish("-r", "linux-x64", "--self-contained", "-p:SlimImage=true").EnsureSuccess();
        Assert.Contains("SLIM1203", publish.Output); // OpenSSL went in, with its size and why
        Assert.Contains("System.Security.Cryptography.dll", publish.Output);
        Assert.Contains("SLIM1204", publish.Output); // libkrb5 reads /etc/krb5.conf: the hint names it
        Assert.Contains("/etc/krb5.conf", publish.Output);
        foreach (var name in new[] { "libmscordaccore.so", "libmscordbi.so", "createdump", "libcoreclrtraceptprovider.so" })
            Assert.Matches($@"left out: {Regex(name)} \([0-9.]+ [KM]?B\)", publish.Output);

        var files = ArchiveValidator.Validate(project.DefaultArchive()).Files;
        Assert.True(files.ContainsKey("/app/libe_sqlite3.so"), "the NuGet package's native library is in /app");
        foreach (var soname in new[] { "libssl.so.3", "libcrypto.so.3", "libgssapi_krb5.so.2", "libkrb5.so.3" })
            Assert.Contains(files.Keys, p => p.EndsWith("/" + soname));
        var bundle = Encoding.ASCII.GetString(files["/etc/ssl/certs/ca-certificates.crt"].Content!);
        var caPem = File.ReadAllText(Path.Combine(project.Directory, "certs/test-ca.pem")).Trim();
        Assert.StartsWith(File.ReadAllText("/etc/ssl/certs/ca-certificates.crt").Trim(), bundle);
        Assert.EndsWith(caPem + "\n", bundle);
        Assert.True(files.ContainsKey("/usr/share/zoneinfo/zone.tab"));
        Assert.True(files.ContainsKey("/usr/share/zoneinfo/Europe/Berlin"));
        Assert.DoesNotContain(files.Keys, p => p.StartsWith("/usr/share/zoneinfo/right/"));
        foreach (var name in new[] { "libmscordaccore.so", "libmscordbi.so", "createdump", "libcoreclrtraceptprovider.so" })
            Assert.False(files.ContainsKey("/app/" + name), name);
        Assert.DoesNotContain(files.Keys, p => p.Contains("libicu"));

        var run = ImageRunner.Run(project.DefaultArchive(), [server.Url], shareNetwork: true);
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains($"sha256={ExpectedSha256}", run.Output);
        Assert.Contains("rsa=True", run.Output);
        Assert.Contains("ecdsa=True", run.Output);
        Assert.Matches(@"roots=[1-9][0-9]+ testca=True", run.Output);
        Assert.Contains("https=" + TlsTestServer.Body, run.Output);
        Assert.Contains("GET /slim HTTP/1.1", server.Requests);
        Assert.Matches(@"tz=Europe/Berlin summer=02:00:00 zones=[1-9][0-9]{2}", run.Output);
        Assert.Matches(@"sqlite=42 on 3\.[0-9]+", run.Output);
        Assert.Matches(@"gss=(?!fail)", run.Output);
    }

    [Fact]
    public void NativeAotAppLoadsOpenSslButTrustsNoUnknownCaAndHasNoTimeZones()
    {
        var project = TestProject.Create("AotCrypto", RuntimePrograms.Crypto, properties: new Dictionary<string, string>
        {
            ["PublishAot"] = "true",
            ["InvariantGlobalization"] = "true",
            ["SlimImage"] = "true",
        });
        using var server = new TlsTestServer(Path.Combine(project.Directory, "unused-ca.pem"));
        var publish = project.Publish("-r", "linux-x64").EnsureSuccess();
        Assert.Contains("SLIM1203", publish.Output);
        Assert.Contains("AotCrypto dlopens libssl.so.3", publish.Output); // found in the binary itself

        var files = ArchiveValidator.Validate(project.DefaultArchive()).Files;
        Assert.Contains(files.Keys, p => p.EndsWith("/libssl.so.3"));
        Assert.Contains(files.Keys, p => p.EndsWith("/libcrypto.so.3"));
        Assert.True(files.ContainsKey("/etc/ssl/certs/ca-certificates.crt"));
        Assert.DoesNotContain(files.Keys, p => p.StartsWith("/usr/share/zoneinfo"));
        Assert.DoesNotContain(files.Keys, p => p.Contains("libgssapi") || p.Contains("libicu"));

        var run = ImageRunner.Run(project.DefaultArchive(), [server.Url], shareNetwork: true);
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains($"sha256={ExpectedSha256}", run.Output);
        Assert.Contains("rsa=True", run.Output);
        Assert.Contains("ecdsa=True", run.Output);
        Assert.Matches(@"roots=[1-9][0-9]+ testca=False", run.Output);
        // The handshake happened and the chain was checked against the image's bundle, which lacks this CA.
        Assert.Matches(@"https=fail: .*errors in the certificate chain: (PartialChain|UntrustedRoot)", run.Output);
        Assert.Empty(server.Requests);
        // Without SlimImageTimeZoneData only UTC works, and the failure says which file is missing.
        Assert.Contains("tz=fail: TimeZoneNotFoundException", run.Output);
    }

    [Fact]
    public void AspNetCoreMinimalApiAnswersOnLoopbackInsideTheImage()
    {
        var project = TestProject.Create("MiniApi", RuntimePrograms.MinimalApi, sdk: "Microsoft.NET.Sdk.Web",
            properties: new Dictionary<string, string> { ["InvariantGlobalization"] = "true" });
        var publish = project.Publish("-r", "linux-x64", "--self-contained", "-p:SlimImage=true").EnsureSuccess();
        Assert.Contains("SLIM1203", publish.Output);
        var view = ArchiveValidator.Validate(project.DefaultArchive());
        var files = view.Files;
        Assert.True(files.ContainsKey("/app/Microsoft.AspNetCore.dll"));
        // As in Microsoft's images: Kestrel on 8080 of every address (a non-root user), and the port exposed.
        Assert.Contains("ASPNETCORE_HTTP_PORTS=8080", view.Env);
        Assert.True(view.RuntimeConfig.GetProperty("ExposedPorts").TryGetProperty("8080/tcp", out _));
        Assert.Contains(files.Keys, p => p.EndsWith("/libssl.so.3"));

        var run = ImageRunner.Run(project.DefaultArchive());
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("answer=hello from kestrel as app", run.Output);
    }

    private static string Regex(string text) => System.Text.RegularExpressions.Regex.Escape(text);
}
