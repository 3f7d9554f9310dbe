using SlimImage.Oci;
using SlimImage.Diagnostics;
using SlimImage.Image;
using SlimImage.Layers;
using SlimImage.Registry;
using SlimImage.Registry.Credentials;
using SlimImage.Rootfs;
using SlimImage.Tests.Support;

namespace SlimImage.Tests.Registry;

/// <summary>Small images, fast client settings and skopeo helpers for the registry tests.</summary>
internal static class RegistryTestKit
{
    /// <summary>Short waits so that failure tests take seconds, not minutes.</summary>
    public static readonly RegistryOptions Fast = new()
    {
        MaxAttempts = 3,
        FirstRetryDelay = TimeSpan.FromMilliseconds(50),
        MaxRetryDelay = TimeSpan.FromMilliseconds(200),
        RequestTimeout = TimeSpan.FromSeconds(20),
        ConnectTimeout = TimeSpan.FromSeconds(5),
    };

    public static RegistrySettings Settings(ScratchDir dir, ICredentialSource? credentials = null, RegistryOptions? options = null) => new()
    {
        CacheDirectory = dir.Combine("cache"),
        Credentials = credentials ?? AnonymousCredentials.Instance,
        Options = options ?? Fast,
    };

    /// <summary>Collects what the core reports.</summary>
    public sealed class Reports
    {
        private readonly List<SlimDiagnostic> _all = [];

        public void Add(SlimDiagnostic d)
        {
            lock (_all) _all.Add(d);
        }

        public IReadOnlyList<SlimDiagnostic> All { get { lock (_all) return _all.ToList(); } }

        public IReadOnlyList<string> Of(string code) => All.Where(d => d.Code == code).Select(d => d.Message).ToList();

        public string Text => string.Join("\n", All.Select(d => $"{d.Code}: {d.Message}"));
    }

    /// <summary>
    /// Pulls <paramref name="reference"/> with skopeo into an OCI layout (skopeo checks every digest on the way) and
    /// returns the digest of the manifest it got, with the layout's folder.
    /// </summary>
    public static (string ManifestDigest, string Layout) SkopeoPull(string reference, string? creds = null)
    {
        var layout = Repo.NewTempDir("skopeo");
        List<string> args = ["copy", "--quiet", "--src-tls-verify=false", "--retry-times", "0"];
        if (creds != null) args.AddRange(["--src-creds", creds]);
        args.AddRange(["docker://" + reference, $"oci:{layout}:pulled"]);
        Repo.Run("skopeo", args, timeoutSeconds: 120).EnsureSuccess();
        using var index = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(Path.Combine(layout, "index.json")));
        return (index.RootElement.GetProperty("manifests")[0].GetProperty("digest").GetString()!, layout);
    }

    /// <summary>What a tag points to, asked with a plain HTTP GET (independent of the client under test); null if absent.</summary>
    public static string? TagDigest(string registryHost, string repository, string tag, string? basic = null)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{registryHost}/v2/{repository}/manifests/{tag}");
        request.Headers.Accept.ParseAdd("application/vnd.oci.image.manifest.v1+json");
        request.Headers.Accept.ParseAdd("application/vnd.oci.image.index.v1+json");
        if (basic != null)
            request.Headers.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(basic)));
        using var response = http.Send(request);
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound) return null;
        response.EnsureSuccessStatusCode();
        var bytes = response.Content.ReadAsByteArrayAsync().GetAwaiter().GetResult();
        return Digest.Of(bytes).ToString();
    }

    public static SlimImage.Diagnostics.SlimException Fails(Action push)
    {
        try
        {
            push();
        }
        catch (SlimImage.Diagnostics.SlimException e)
        {
            return e;
        }
        throw new Xunit.Sdk.XunitException("Expected a SlimException, but the push succeeded.");
    }
}
