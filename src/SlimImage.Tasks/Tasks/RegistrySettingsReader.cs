using SlimImage.Diagnostics;
using SlimImage.Pipeline;
using SlimImage.Registry;
using SlimImage.Registry.Credentials;

namespace SlimImage.Tasks;

/// <summary>
/// The registry settings every task reads the same way. Credentials are read here, from the process environment and
/// docker's config.json, never through MSBuild properties: a property's value would be in every binlog.
/// </summary>
internal static class RegistrySettingsReader
{
    /// <summary>Settings for a build whose SLIMIMAGE_REGISTRY_USER/PASSWORD are for <paramref name="credentialRegistry"/>
    /// (the push target, else the base's registry).</summary>
    public static RegistrySettings Read(string? credentialRegistry, string[] insecureRegistries, string? cacheDirectory, Action<SlimDiagnostic> report)
    {
        Func<string, string?> environment = Environment.GetEnvironmentVariable;
        return new RegistrySettings
        {
            InsecureRegistries = RegistryInputs.SplitHosts(insecureRegistries),
            Credentials = new CredentialChain(environment, credentialRegistry, () => DockerConfig.Load(environment), report),
            CacheDirectory = !string.IsNullOrWhiteSpace(cacheDirectory) ? Path.GetFullPath(cacheDirectory.Trim()) : DefaultCache(environment),
        };
    }

    /// <summary>$XDG_CACHE_HOME/slimimage, else ~/.cache/slimimage (the XDG base directory default).</summary>
    private static string DefaultCache(Func<string, string?> environment)
    {
        var xdg = environment("XDG_CACHE_HOME");
        if (!string.IsNullOrEmpty(xdg)) return Path.Combine(xdg, "slimimage");
        var home = environment("HOME");
        return string.IsNullOrEmpty(home) ? Path.Combine(Path.GetTempPath(), "slimimage-cache") : Path.Combine(home, ".cache", "slimimage");
    }
}
