namespace SlimImage.Tests.EndToEnd;

/// <summary>Programs that need what no ELF header names: OpenSSL and CAs, zoneinfo, GSSAPI, NuGet native code, Kestrel.</summary>
internal static class RuntimePrograms
{
    /// <summary>
    /// Hashes, signs with RSA and ECDsa, counts the root store (and looks for the test CA), GETs args[0] over
    /// TLS when given, and looks up a time zone; every line says ok or why not.
    /// </summary>
    public const string Crypto = """
        using System.Security.Cryptography;
        using System.Security.Cryptography.X509Certificates;

        var data = "slimimage"u8.ToArray();
        Console.WriteLine("sha256=" + Convert.ToHexString(SHA256.HashData(data)));
        using (var rsa = RSA.Create(2048))
        {
            var signature = rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            Console.WriteLine("rsa=" + rsa.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        }
        using (var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256))
            Console.WriteLine("ecdsa=" + ec.VerifyData(data, ec.SignData(data, HashAlgorithmName.SHA256), HashAlgorithmName.SHA256));
        using (var store = new X509Store(StoreName.Root, StoreLocation.LocalMachine))
        {
            store.Open(OpenFlags.ReadOnly);
            var testCa = store.Certificates.Any(c => c.Subject == "CN=SlimImage Test CA");
            Console.WriteLine($"roots={store.Certificates.Count} testca={testCa}");
        }
        if (args.Length > 0)
        {
            try
            {
                using var http = new HttpClient();
                Console.WriteLine("https=" + await http.GetStringAsync(args[0]));
            }
            catch (Exception e)
            {
                Console.WriteLine("https=fail: " + e.GetBaseException().Message);
            }
        }
        try
        {
            var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
            var summer = berlin.GetUtcOffset(new DateTime(2024, 7, 1, 0, 0, 0, DateTimeKind.Utc));
            Console.WriteLine($"tz={berlin.Id} summer={summer} zones={TimeZoneInfo.GetSystemTimeZones().Count}");
        }
        catch (Exception e)
        {
            Console.WriteLine($"tz=fail: {e.GetType().Name}: {e.Message}");
        }

        """;

    /// <summary>Appended to <see cref="Crypto"/>: SQLite through a NuGet native library, and GSSAPI.</summary>
    public const string SqliteAndKerberos = """
        using (var db = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=:memory:"))
        {
            db.Open();
            using var command = db.CreateCommand();
            command.CommandText = "create table t(x); insert into t values (20), (22); select sum(x) || ' on ' || sqlite_version() from t";
            Console.WriteLine("sqlite=" + command.ExecuteScalar());
        }
        try
        {
            using var negotiate = new System.Net.Security.NegotiateAuthentication(
                new System.Net.Security.NegotiateAuthenticationClientOptions { Package = "Kerberos", TargetName = "HTTP/localhost" });
            negotiate.GetOutgoingBlob(ReadOnlySpan<byte>.Empty, out var status);
            Console.WriteLine("gss=" + status);
        }
        catch (Exception e)
        {
            Console.WriteLine($"gss=fail: {e.GetType().Name}: {e.GetBaseException().Message}");
        }
        """;

    /// <summary>A minimal API that calls itself on loopback inside the image.</summary>
    public const string MinimalApi = """
        // No URL configured: the image's ASPNETCORE_HTTP_PORTS decides where Kestrel listens.
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapGet("/hello", () => $"hello from kestrel as {Environment.UserName}");
        await app.StartAsync();
        using (var http = new HttpClient())
            Console.WriteLine("answer=" + await http.GetStringAsync("http://127.0.0.1:8080/hello"));
        await app.StopAsync();
        """;
}
