using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;

namespace SlimImage.Tests.Registry;

/// <summary>One request that went through the proxy, and the status the client got.</summary>
public sealed record ProxiedRequest(string Method, string Path, string Query, int Status)
{
    /// <summary>POST …/blobs/uploads/ without mount: the start of an upload.</summary>
    public bool IsUploadStart => Method == "POST" && Path.EndsWith("/blobs/uploads/", StringComparison.Ordinal) && !Query.Contains("mount=");

    public bool IsMount => Method == "POST" && Query.Contains("mount=");

    /// <summary>PATCH or PUT into an upload session: bytes of a blob going up.</summary>
    public bool IsUploadData => Method is "PATCH" or "PUT" && Path.Contains("/blobs/uploads/", StringComparison.Ordinal);

    /// <summary>The digest of a closing upload PUT (<c>?digest=</c>).</summary>
    public string? UploadedDigest =>
        Method == "PUT" && Path.Contains("/blobs/uploads/") && Status == 201
            ? Uri.UnescapeDataString(Query.Split('&', '?').FirstOrDefault(p => p.StartsWith("digest="))?["digest=".Length..] ?? "") is { Length: > 0 } d ? d : null
            : null;
}

/// <summary>
/// A reverse proxy on loopback in front of the test registry that records every request (to count uploads) and
/// can answer some requests itself (to inject 503s) or act after one (to stop the registry half-way through a push).
/// The Host header is rewritten to the proxy's, so the registry's upload locations point back through it.
/// </summary>
public sealed class RegistryProxy : IDisposable
{
    private readonly LoopbackServer _server;
    private readonly HttpClient _upstream = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false });
    private readonly ConcurrentQueue<ProxiedRequest> _requests = new();

    public RegistryProxy(string upstreamHost)
    {
        Upstream = upstreamHost;
        _server = new LoopbackServer(Handle);
    }

    public string Upstream { get; }

    public string Host => _server.Host;

    public IReadOnlyList<ProxiedRequest> Requests => _requests.ToArray();

    /// <summary>Return a status to answer a request without forwarding it; null forwards.</summary>
    public Func<HttpRequest, int?>? Intercept { get; set; }

    /// <summary>Called after a request was answered (e.g. to kill the registry).</summary>
    public Action<ProxiedRequest>? After { get; set; }

    public void Clear() => _requests.Clear();

    private async Task Handle(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        var query = request.QueryString.Value ?? "";
        int status;
        if (Intercept?.Invoke(request) is { } forced)
        {
            status = forced;
            context.Response.StatusCode = forced;
        }
        else
        {
            status = await Forward(context, path + query);
        }
        var record = new ProxiedRequest(request.Method, path, query, status);
        _requests.Enqueue(record);
        After?.Invoke(record);
    }

    private async Task<int> Forward(HttpContext context, string pathAndQuery)
    {
        var request = context.Request;
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), $"http://{Upstream}{pathAndQuery}");
        if (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0 || request.Method is "PUT" or "PATCH" or "POST")
            message.Content = new StreamContent(request.Body);
        foreach (var (name, values) in request.Headers)
        {
            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase) || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)) continue;
            if (!message.Headers.TryAddWithoutValidation(name, values.ToArray()))
                message.Content?.Headers.TryAddWithoutValidation(name, values.ToArray());
        }
        message.Headers.Host = Host;
        HttpResponseMessage response;
        try
        {
            response = await _upstream.SendAsync(message, HttpCompletionOption.ResponseHeadersRead);
        }
        catch (HttpRequestException)
        {
            // The registry is gone: drop the client's connection as the registry itself would have.
            context.Abort();
            return 0;
        }
        using (response)
        {
            context.Response.StatusCode = (int)response.StatusCode;
            foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
            {
                if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)) continue;
                context.Response.Headers[name] = values.ToArray();
            }
            if (request.Method != "HEAD")
                await response.Content.CopyToAsync(context.Response.Body);
            return (int)response.StatusCode;
        }
    }

    public void Dispose()
    {
        _server.Dispose();
        _upstream.Dispose();
    }
}
