using SlimImage.Diagnostics;

namespace SlimImage.Registry.Credentials;

/// <summary>
/// The places credentials come from, in order: SLIMIMAGE_REGISTRY_USER/PASSWORD, then the SDK's
/// DOTNET_CONTAINER_REGISTRY_UNAME/PWORD, then docker's config.json (credHelpers, credsStore, auths).
/// The environment pair is sent only to <see cref="EnvironmentRegistry"/> (the push registry, or the base's when
/// nothing is pushed): a password for a private registry must never go to Docker Hub because the base lives there.
/// </summary>
public sealed class CredentialChain : ICredentialSource
{
    private static readonly (string User, string Password)[] EnvironmentPairs =
    [
        ("SLIMIMAGE_REGISTRY_USER", "SLIMIMAGE_REGISTRY_PASSWORD"),
        ("DOTNET_CONTAINER_REGISTRY_UNAME", "DOTNET_CONTAINER_REGISTRY_PWORD"),
    ];

    private readonly Func<string, string?> _environment;
    private readonly Lazy<DockerConfig?> _docker;
    private readonly Action<SlimDiagnostic> _report;

    /// <param name="environment">Reads an environment variable (read at the edge, as ko does).</param>
    /// <param name="environmentRegistry">The registry the environment's credentials are for.</param>
    /// <param name="dockerConfig">docker's config.json (or null), read only when a registry is actually asked for.</param>
    /// <param name="report">For "helper not found" notes.</param>
    public CredentialChain(Func<string, string?> environment, string? environmentRegistry, Func<DockerConfig?> dockerConfig,
        Action<SlimDiagnostic> report)
    {
        _environment = environment;
        EnvironmentRegistry = environmentRegistry;
        _docker = new Lazy<DockerConfig?>(dockerConfig);
        _report = report;
    }

    public string? EnvironmentRegistry { get; }

    public RegistryCredential? Find(string registry)
    {
        if (EnvironmentRegistry == null || string.Equals(registry, EnvironmentRegistry, StringComparison.OrdinalIgnoreCase))
        {
            foreach (var (userVar, passwordVar) in EnvironmentPairs)
            {
                var user = _environment(userVar);
                var password = _environment(passwordVar);
                if (string.IsNullOrEmpty(user) && string.IsNullOrEmpty(password)) continue;
                if (string.IsNullOrEmpty(user) || string.IsNullOrEmpty(password))
                    throw new SlimException("SLIM1505", userVar, passwordVar);
                return new RegistryCredential(user, password, userVar + "/" + passwordVar);
            }
        }
        return _docker.Value?.Find(registry, _report);
    }

    /// <summary>The environment variable pairs, for messages that say what to set.</summary>
    public static string EnvironmentNames => string.Join(" or ", EnvironmentPairs.Select(p => p.User + "/" + p.Password));
}
