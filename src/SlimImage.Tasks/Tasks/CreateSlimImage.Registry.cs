using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using SlimImage.Output;
using SlimImage.Pipeline;
using SlimImage.Registry;
using SlimImage.Registry.Credentials;

namespace SlimImage.Tasks;

public sealed partial class CreateSlimImage
{
    /// <summary>
    /// Credentials are read here, from the process environment and docker's config.json, never through MSBuild
    /// properties: a property's value would be in every binlog.
    /// </summary>
    private RegistrySettings ReadRegistrySettings()
    {
        Func<string, string?> environment = Environment.GetEnvironmentVariable;
        var registry = NullIfEmpty(Registry);
        var baseRegistry = string.Equals(Base?.Trim(), "scratch", StringComparison.OrdinalIgnoreCase) ? null : ImageReference.TryParse(Base ?? "")?.Registry;
        return new RegistrySettings
        {
            InsecureRegistries = RegistryInputs.SplitHosts(InsecureRegistries),
            Credentials = new CredentialChain(environment, registry ?? baseRegistry, () => DockerConfig.Load(environment), Report),
            CacheDirectory = NullIfEmpty(CacheDirectory) is { } dir ? Path.GetFullPath(dir) : DefaultCache(environment),
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

    private static ITaskItem[] ToPushedItems(ImageResult result) => result.Published.OfType<RegistryPublication>()
        .SelectMany(p => p.Push.Tags.Select(tag =>
        {
            var item = new TaskItem(tag.Reference);
            item.SetMetadata("ManifestDigest", tag.ManifestDigest.ToString());
            item.SetMetadata("DigestReference", tag.DigestReference);
            item.SetMetadata("Registry", p.Push.Registry);
            item.SetMetadata("Repository", p.Push.Repository);
            item.SetMetadata("Tag", tag.Tag);
            return (ITaskItem)item;
        })).ToArray();
}
