using SlimImage.Registry.Credentials;

namespace SlimImage.Registry;

/// <summary>
/// What every registry conversation of a build shares: which hosts may be spoken to in plain HTTP, where
/// credentials come from, where pulled blobs are cached, and the client's patience.
/// </summary>
public sealed record RegistrySettings
{
    /// <summary>SlimImageInsecureRegistries: host or host:port entries reached over plain HTTP.</summary>
    public IReadOnlyList<string> InsecureRegistries { get; init; } = [];

    public ICredentialSource Credentials { get; init; } = AnonymousCredentials.Instance;

    /// <summary>SlimImageCacheDirectory: pulled blobs by digest, tags seen, and which repository holds which blob.</summary>
    public string CacheDirectory { get; init; } = Path.Combine(Path.GetTempPath(), "slimimage-cache");

    public RegistryOptions Options { get; init; } = RegistryOptions.Default;

    /// <summary>A test's own message handler (e.g. one that fails on purpose); null for the real network.</summary>
    public HttpMessageHandler? Handler { get; init; }
}
