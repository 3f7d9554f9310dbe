using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace SlimImage.Tests.Support;

/// <summary>
/// An HTTPS server on 127.0.0.1 with a CA of its own, made for one test: a CA certificate (written as PEM for
/// SlimImageCaCertificate), a server certificate for IP 127.0.0.1 signed by it, and an SslStream over a TcpListener
/// that answers every GET with a fixed body and records the request lines it served.
/// </summary>
public sealed class TlsTestServer : IDisposable
{
    public const string Body = "hello over tls";

    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly X509Certificate2 serverCertificate;
    private readonly CancellationTokenSource stop = new();
    private readonly List<string> requests = [];
    private readonly Task loop;

    public TlsTestServer(string caPemPath)
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=SlimImage Test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        using var ca = caRequest.CreateSelfSigned(now.AddHours(-1), now.AddDays(2));
        File.WriteAllText(caPemPath, ca.ExportCertificatePem() + "\n");
        CaSubject = ca.Subject;

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        using var signed = request.Create(ca, now.AddHours(-1), now.AddDays(1), RandomNumberGenerator.GetBytes(8));
        serverCertificate = signed.CopyWithPrivateKey(serverKey);

        listener.Start();
        Url = $"https://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/slim";
        loop = Task.Run(AcceptLoop);
    }

    /// <summary>The URL to GET, e.g. <c>https://127.0.0.1:41234/slim</c>.</summary>
    public string Url { get; }

    public string CaSubject { get; }

    /// <summary>The request lines served so far (a failed handshake serves none).</summary>
    public IReadOnlyList<string> Requests { get { lock (requests) return requests.ToList(); } }

    private async Task AcceptLoop()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await listener.AcceptTcpClientAsync(stop.Token); }
            catch (Exception) { return; }
            _ = Task.Run(() => Serve(client));
        }
    }

    private async Task Serve(TcpClient client)
    {
        using var _ = client;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        try
        {
            await using var tls = new SslStream(client.GetStream());
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = serverCertificate }, timeout.Token);
            var head = new StringBuilder();
            var buffer = new byte[4096];
            while (!head.ToString().Contains("\r\n\r\n"))
            {
                var read = await tls.ReadAsync(buffer, timeout.Token);
                if (read == 0) return;
                head.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }
            lock (requests) requests.Add(head.ToString().Split("\r\n")[0]);
            var body = Encoding.UTF8.GetBytes(Body);
            await tls.WriteAsync(Encoding.ASCII.GetBytes(
                $"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n"), timeout.Token);
            await tls.WriteAsync(body, timeout.Token);
        }
        catch (Exception)
        {
            // A client that rejects the certificate closes the connection: that is the test's business, not the server's.
        }
    }

    public void Dispose()
    {
        stop.Cancel();
        listener.Stop();
        try { loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
        serverCertificate.Dispose();
        stop.Dispose();
    }
}
