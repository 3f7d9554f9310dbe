using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace SlimImage.Tests.Registry;

/// <summary>
/// A token service for the registry's <c>auth: token</c> mode (distribution docs/spec/auth/token.md and jwt.md):
/// GET with Basic credentials (or POST grant_type=refresh_token with an identity token) returns a JWT signed ES256
/// with a self-signed certificate in its <c>x5c</c> header, granting the scopes asked for. The registry verifies
/// it against that certificate, given as its rootcertbundle.
/// </summary>
public sealed class TokenService : IDisposable
{
    public const string Service = "slimimage-test-registry";
    public const string Issuer = "slimimage-test-token-issuer";
    public const string IdentityToken = "refresh-token-for-tests-0123456789";

    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly X509Certificate2 _certificate;
    private readonly LoopbackServer _server;
    private readonly ConcurrentQueue<string> _scopes = new();

    public TokenService()
    {
        var request = new CertificateRequest("CN=slimimage test token signer", _key, HashAlgorithmName.SHA256);
        _certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        _server = new LoopbackServer(Handle);
    }

    public string Realm => $"http://{_server.Host}/token";

    public string CertificatePem => _certificate.ExportCertificatePem() + "\n";

    /// <summary>The scope parameters of every token handed out.</summary>
    public IReadOnlyList<string> GrantedScopes => _scopes.ToArray();

    private async Task Handle(HttpContext context)
    {
        var request = context.Request;
        List<string> scopes;
        bool authorized;
        if (request.Method == "POST")
        {
            var form = await request.ReadFormAsync();
            authorized = form["grant_type"] == "refresh_token" && form["refresh_token"] == IdentityToken;
            scopes = form["scope"].ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        }
        else
        {
            var header = request.Headers.Authorization.ToString();
            authorized = header.StartsWith("Basic ", StringComparison.Ordinal)
                         && Encoding.UTF8.GetString(Convert.FromBase64String(header[6..])) == $"{LocalRegistry.User}:{LocalRegistry.Password}";
            scopes = request.Query["scope"].Select(s => s!).ToList();
        }
        if (!authorized)
        {
            context.Response.StatusCode = 401;
            return;
        }
        foreach (var s in scopes) _scopes.Enqueue(s);
        context.Response.ContentType = "application/json";
        var token = Sign(scopes);
        await context.Response.WriteAsync(JsonSerializer.Serialize(new { token, access_token = token, expires_in = 300 }));
    }

    private string Sign(IEnumerable<string> scopes)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var access = scopes.Select(s => s.Split(':')).Where(p => p.Length == 3)
            .Select(p => new { type = p[0], name = p[1], actions = p[2].Split(',') }).ToList();
        var header = JsonSerializer.SerializeToUtf8Bytes(new { typ = "JWT", alg = "ES256", x5c = new[] { Convert.ToBase64String(_certificate.RawData) } });
        var claims = JsonSerializer.SerializeToUtf8Bytes(new
        {
            iss = Issuer, sub = LocalRegistry.User, aud = Service, exp = now + 300, nbf = now - 10, iat = now,
            jti = Guid.NewGuid().ToString("N"), access,
        });
        var signingInput = Base64Url(header) + "." + Base64Url(claims);
        // JWS ES256 (RFC 7518 3.4): the raw r||s pair, which is .NET's default (IEEE P1363) format.
        var signature = _key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256);
        return signingInput + "." + Base64Url(signature);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public void Dispose()
    {
        _server.Dispose();
        _certificate.Dispose();
        _key.Dispose();
    }
}
