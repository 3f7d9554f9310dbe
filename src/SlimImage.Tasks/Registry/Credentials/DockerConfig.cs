using System.Text;
using System.Text.Json;
using SlimImage.Diagnostics;

namespace SlimImage.Registry.Credentials;

/// <summary>
/// docker's client configuration (docker/cli <c>cli/config/configfile/file.go</c>): <c>auths</c> (base64
/// "user:password" in <c>auth</c>, or <c>username</c>/<c>password</c>, or an <c>identitytoken</c>),
/// <c>credHelpers</c> (per registry) and <c>credsStore</c> (for all), each helper a program
/// <c>docker-credential-NAME</c> on PATH. A helper that is not installed is skipped, as the issue asks.
/// </summary>
public sealed class DockerConfig
{
    private readonly Dictionary<string, JsonElement> _auths = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> _helpers = new(StringComparer.OrdinalIgnoreCase);
    private readonly string? _store;
    private readonly CredentialHelper _runner;

    public string Path { get; }

    private DockerConfig(string path, JsonElement root, CredentialHelper runner)
    {
        Path = path;
        _runner = runner;
        if (root.TryGetProperty("auths", out var auths) && auths.ValueKind == JsonValueKind.Object)
            foreach (var p in auths.EnumerateObject())
                _auths[Key(p.Name)] = p.Value.Clone();
        if (root.TryGetProperty("credHelpers", out var helpers) && helpers.ValueKind == JsonValueKind.Object)
            foreach (var p in helpers.EnumerateObject())
                if (p.Value.ValueKind == JsonValueKind.String)
                    _helpers[Key(p.Name)] = p.Value.GetString()!;
        if (root.TryGetProperty("credsStore", out var store) && store.ValueKind == JsonValueKind.String && store.GetString() is { Length: > 0 } s)
            _store = s;
    }

    /// <summary>
    /// <c>$DOCKER_CONFIG/config.json</c>, else <c>~/.docker/config.json</c>; null when there is none.
    /// Throws SLIM4013 when the file exists but is not valid JSON.
    /// </summary>
    public static DockerConfig? Load(Func<string, string?> environment, CredentialHelper? runner = null)
    {
        var dir = environment("DOCKER_CONFIG");
        if (string.IsNullOrEmpty(dir))
        {
            var home = environment("HOME");
            if (string.IsNullOrEmpty(home)) return null;
            dir = System.IO.Path.Combine(home, ".docker");
        }
        var path = System.IO.Path.Combine(dir, "config.json");
        if (!File.Exists(path)) return null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new JsonException("the top level is not an object");
            return new DockerConfig(path, doc.RootElement, runner ?? new CredentialHelper(environment));
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            throw new SlimException(e, "SLIM4013", path, e.Message);
        }
    }

    /// <summary>The credential for <paramref name="registry"/>: its credHelper, else the credsStore, else auths.</summary>
    public RegistryCredential? Find(string registry, Action<SlimDiagnostic> report)
    {
        var key = Key(registry);
        var serverUrl = registry == ImageReference.DockerHub ? "https://index.docker.io/v1/" : registry;
        if (_helpers.TryGetValue(key, out var helper))
        {
            var found = _runner.Get(helper, serverUrl, report);
            if (found != null) return found;
        }
        else if (_store != null)
        {
            var found = _runner.Get(_store, serverUrl, report);
            if (found != null) return found;
        }
        return _auths.TryGetValue(key, out var entry) ? FromAuths(entry) : null;
    }

    private RegistryCredential? FromAuths(JsonElement entry)
    {
        var source = Path + " auths";
        if (Str(entry, "identitytoken") is { Length: > 0 } token)
            return new RegistryCredential(RegistryCredential.IdentityTokenUser, token, source);
        if (Str(entry, "auth") is { Length: > 0 } auth)
        {
            string pair;
            try { pair = Encoding.UTF8.GetString(Convert.FromBase64String(auth)); }
            catch (FormatException) { throw new SlimException("SLIM4013", Path, "an 'auth' value is not base64"); }
            var colon = pair.IndexOf(':');
            if (colon <= 0) throw new SlimException("SLIM4013", Path, "an 'auth' value is not base64 of user:password");
            return new RegistryCredential(pair[..colon], pair[(colon + 1)..], source);
        }
        if (Str(entry, "username") is { Length: > 0 } user && Str(entry, "password") is { Length: > 0 } password)
            return new RegistryCredential(user, password, source);
        return null;
    }

    private static string? Str(JsonElement o, string name) =>
        o.ValueKind == JsonValueKind.Object && o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>Keys may be "host", "https://host", "https://host/v1/" (docker/cli ConvertToHostname).</summary>
    internal static string Key(string name)
    {
        var s = name.Trim();
        if (s.StartsWith("http://", StringComparison.OrdinalIgnoreCase)) s = s[7..];
        else if (s.StartsWith("https://", StringComparison.OrdinalIgnoreCase)) s = s[8..];
        var slash = s.IndexOf('/');
        if (slash >= 0) s = s[..slash];
        return s is "index.docker.io" or "registry-1.docker.io" ? ImageReference.DockerHub : s;
    }
}
