using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using SlimImage.Tests.Registry;
using SlimImage.Oci;

namespace SlimImage.Tests.Hostile;

/// <summary>
/// A registry on loopback that serves one <see cref="HostileImage"/> (GET of manifests and blobs; an index at the
/// tag when <see cref="ServeIndex"/>), and lets a test take over any request with <see cref="Hostile"/>: huge,
/// endless or stalled bodies, written as they go, never held in memory (<see cref="CountingHandler"/> counts what
/// the client reads of them).
/// </summary>
internal sealed partial class FakeRegistry : IDisposable
{
    private readonly LoopbackServer _server;

    public FakeRegistry() => _server = new LoopbackServer(Handle);

    public string Host => _server.Host;

    public HostileImage Image { get; set; } = new();

    public bool ServeIndex { get; set; }

    /// <summary>Answers a request before the image is served; returns false to let it be served normally.</summary>
    public Func<HttpContext, Task<bool>>? Hostile { get; set; }

    /// <summary>"GET /v2/…" of every request, in order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    [GeneratedRegex("^/v2/(.+)/(manifests|blobs)/([^/]+)$")]
    private static partial Regex ApiPath();

    private async Task Handle(HttpContext c)
    {
        Requests.Enqueue($"{c.Request.Method} {c.Request.Path}");
        if (Hostile != null && await Hostile(c)) return;
        var m = ApiPath().Match(c.Request.Path.Value ?? "");
        var reference = m.Groups[3].Value;
        var (body, type) = (m.Groups[2].Value, reference) switch
        {
            ("manifests", "1.0") when ServeIndex => (Image.Index, MediaTypes.Index),
            ("manifests", _) when reference == "1.0" || reference == Image.RealManifestDigest => (Image.Manifest, MediaTypes.Manifest),
            ("blobs", _) when reference == (Image.ConfigDigest ?? Image.RealConfigDigest) => (Image.Config, "application/octet-stream"),
            ("blobs", _) when reference == Image.LayerDigest => (Image.Layer, "application/octet-stream"),
            _ => (null, ""),
        };
        if (body == null)
        {
            c.Response.StatusCode = 404;
            return;
        }
        c.Response.ContentType = type;
        c.Response.ContentLength = body.Length;
        await WriteAsync(c, body);
    }

    public async Task WriteAsync(HttpContext c, byte[] bytes)
    {
        await c.Response.Body.WriteAsync(bytes, c.RequestAborted);
        await c.Response.Body.FlushAsync(c.RequestAborted);
    }

    /// <summary>
    /// Sends <paramref name="total"/> bytes of JSON-looking filler in 64 KB writes (announced with
    /// <paramref name="announce"/>, or chunked), until done or the client hangs up.
    /// </summary>
    public async Task StreamAsync(HttpContext c, long total, bool announce, int status = 200)
    {
        c.Response.StatusCode = status;
        if (announce) c.Response.ContentLength = total;
        var chunk = new byte[64 << 10];
        chunk.AsSpan().Fill((byte)' ');
        chunk[0] = (byte)'{';
        try
        {
            for (long sent = 0; sent < total && !c.RequestAborted.IsCancellationRequested; sent += chunk.Length)
            {
                await WriteAsync(c, chunk);
                chunk[0] = (byte)' ';
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException) { /* the client went away */ }
    }

    /// <summary>Announces <paramref name="announced"/> bytes, sends 16, then waits until the client hangs up.</summary>
    public async Task StallAsync(HttpContext c, long announced)
    {
        c.Response.ContentLength = announced;
        try
        {
            await WriteAsync(c, "{\"schemaVersion\":"u8.ToArray());
            await c.Response.Body.FlushAsync(c.RequestAborted);
            await Task.Delay(Timeout.Infinite, c.RequestAborted);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException) { /* the client went away */ }
    }

    public void Dispose() => _server.Dispose();
}
