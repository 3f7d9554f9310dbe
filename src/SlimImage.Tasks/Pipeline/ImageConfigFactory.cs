using System.Globalization;
using SlimImage.Image;
using SlimImage.Rootfs;

namespace SlimImage.Pipeline;

/// <summary>The image config SlimImage writes: Microsoft's runtime-deps defaults, then the user's settings.</summary>
public static class ImageConfigFactory
{
    public static ImageConfig Create(ImageRequest request, Platform platform, IReadOnlyList<string> entrypoint, IReadOnlyList<string> history)
    {
        var env = new List<KeyValuePair<string, string>>
        {
            new("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
            new("APP_UID", EtcFiles.AppUid.ToString(CultureInfo.InvariantCulture)),
            new("DOTNET_RUNNING_IN_CONTAINER", "true"),
        };
        if (request.InvariantGlobalization)
            env.Add(new("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "true"));
        foreach (var (name, value) in request.Environment)
        {
            var at = env.FindIndex(e => e.Key == name);
            if (at >= 0) env[at] = new(name, value); else env.Add(new(name, value));
        }
        var labels = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["org.opencontainers.image.title"] = request.AssemblyName,
            ["org.opencontainers.image.created"] = request.Timestamp.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        };
        if (request.AppVersion != null) labels["org.opencontainers.image.version"] = request.AppVersion;
        if (request.SourceRepositoryUrl != null) labels["org.opencontainers.image.source"] = request.SourceRepositoryUrl;
        if (request.SourceRevision != null) labels["org.opencontainers.image.revision"] = request.SourceRevision;
        foreach (var (name, value) in request.Labels)
            labels[name] = value;
        return new ImageConfig
        {
            Architecture = platform.Architecture,
            Variant = platform.Variant,
            User = request.User,
            WorkingDir = request.WorkingDirectory,
            Entrypoint = entrypoint,
            Env = env.Select(e => e.Key + "=" + e.Value).ToList(),
            Labels = labels,
            ExposedPorts = request.Ports.Select(p => p.ToString()).ToList(),
            Created = request.Timestamp,
            History = history,
        };
    }
}
