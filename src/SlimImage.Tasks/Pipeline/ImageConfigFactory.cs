using System.Globalization;
using SlimImage.Rootfs;
using SlimImage.Oci;

namespace SlimImage.Pipeline;

/// <summary>The image config SlimImage writes: Microsoft's runtime-deps defaults, then the user's settings.</summary>
public static class ImageConfigFactory
{
    /// <summary>The port an ASP.NET Core app listens on in the image, as in Microsoft's images since .NET 8.</summary>
    public const int WebPort = 8080;

    public static ImageConfig Create(ImageRequest request, Platform platform, IReadOnlyList<string> entrypoint, IReadOnlyList<string> cmd,
        IReadOnlyList<string> history, IReadOnlyDictionary<string, string> labels)
    {
        var env = new List<KeyValuePair<string, string>>
        {
            new("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
            new("APP_UID", EtcFiles.AppUid.ToString(CultureInfo.InvariantCulture)),
            new("DOTNET_RUNNING_IN_CONTAINER", "true"),
        };
        if (request.InvariantGlobalization)
            env.Add(new("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "true"));
        // Kestrel listens on localhost:5000 unless told otherwise, which nothing outside the container can reach;
        // Microsoft's images set ASPNETCORE_HTTP_PORTS=8080 (non-root users cannot bind ports below 1024).
        var webPorts = request.WebApp && !request.Environment.Any(e => e.Key is "ASPNETCORE_HTTP_PORTS" or "ASPNETCORE_URLS" or "ASPNETCORE_HTTPS_PORTS");
        if (webPorts)
            env.Add(new("ASPNETCORE_HTTP_PORTS", WebPort.ToString(CultureInfo.InvariantCulture)));
        foreach (var (name, value) in request.Environment)
        {
            var at = env.FindIndex(e => e.Key == name);
            if (at >= 0) env[at] = new(name, value); else env.Add(new(name, value));
        }
        return new ImageConfig
        {
            Architecture = platform.Architecture,
            Variant = platform.Variant,
            User = request.User,
            WorkingDir = request.WorkingDirectory,
            Entrypoint = entrypoint,
            Cmd = cmd.Count > 0 ? cmd : null,
            Env = env.Select(e => e.Key + "=" + e.Value).ToList(),
            Labels = labels,
            ExposedPorts = request.Ports.Count == 0 && webPorts ? [$"{WebPort}/tcp"] : request.Ports.Select(p => p.ToString()).ToList(),
            Created = request.Timestamp,
            History = history,
        };
    }
}
