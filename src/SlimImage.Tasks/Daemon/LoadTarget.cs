using SlimImage.Diagnostics;

namespace SlimImage.Daemon;

/// <summary>The two command-line clients an archive can be loaded with; both read the same tar on stdin.</summary>
public enum DaemonCli { Docker, Podman }

/// <summary>
/// What <c>SlimImageLoad</c> asks for: a given client, or (<c>true</c>) the one <c>LocalRegistry</c> names, else
/// whichever is installed, as the SDK's <c>PublishContainer</c> decides.
/// </summary>
/// <param name="Cli">The client to use; null = find one on PATH.</param>
/// <param name="Timeout">How long the whole load may take before it is stopped (<c>SlimImageLoadTimeout</c>).</param>
public sealed record LoadTarget(DaemonCli? Cli, TimeSpan Timeout)
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Parses <c>SlimImageLoad</c> (<c>docker</c>, <c>podman</c>, <c>true</c>; empty or <c>false</c> = no load),
    /// <c>LocalRegistry</c> (<c>Docker</c>, <c>Podman</c> or empty, the SDK's names) and <c>SlimImageLoadTimeout</c>
    /// (seconds). Null when nothing is to be loaded.
    /// </summary>
    public static LoadTarget? Parse(string? load, string? localRegistry, string? timeoutSeconds)
    {
        var value = load?.Trim() ?? "";
        if (value.Length == 0 || value.Equals("false", StringComparison.OrdinalIgnoreCase))
            return null;
        var timeout = ParseTimeout(timeoutSeconds);
        if (value.Equals("true", StringComparison.OrdinalIgnoreCase))
            return new LoadTarget(ParseCli(localRegistry, "LocalRegistry"), timeout);
        return new LoadTarget(ParseCli(value, "SlimImageLoad") ?? throw new SlimException("SLIM1050", "SlimImageLoad", value), timeout);
    }

    private static DaemonCli? ParseCli(string? value, string property) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" => null,
        "docker" => DaemonCli.Docker,
        "podman" => DaemonCli.Podman,
        _ => throw new SlimException("SLIM1050", property, value),
    };

    private static TimeSpan ParseTimeout(string? seconds)
    {
        if (string.IsNullOrWhiteSpace(seconds))
            return DefaultTimeout;
        if (!int.TryParse(seconds.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var s)
            || s < 1 || s > 86400)
            throw new SlimException("SLIM1051", seconds);
        return TimeSpan.FromSeconds(s);
    }
}
