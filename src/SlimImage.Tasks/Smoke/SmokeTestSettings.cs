using System.Globalization;
using System.Text.RegularExpressions;
using SlimImage.Diagnostics;

namespace SlimImage.Smoke;

/// <summary>Where the smoke run happens: its own namespaces (root), or a container of the local docker or podman.</summary>
public enum SmokeRunner { Auto, Namespaces, Docker, Podman }

/// <summary>
/// What <c>SlimImageSmokeTest=true</c> asks of the built image: run its entrypoint with <see cref="Args"/> (or its
/// Cmd), and pass when it exits with <see cref="ExitCode"/> within <see cref="Timeout"/> and its output matches
/// <see cref="Expect"/>; with <see cref="UrlPath"/> (a server) when that path answers 2xx, after which it gets
/// SIGTERM and must exit.
/// </summary>
public sealed record SmokeTestSettings
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>SlimImageSmokeTestArgs: replace the image's Cmd, as <c>docker run IMAGE ARGS</c> does; null keeps it.</summary>
    public IReadOnlyList<string>? Args { get; init; }

    /// <summary>SlimImageSmokeTestExitCode (default 0).</summary>
    public int ExitCode { get; init; }

    /// <summary>SlimImageSmokeTestExpect: a .NET regular expression the output must match somewhere; null: none.</summary>
    public string? Expect { get; init; }

    /// <summary>SlimImageSmokeTestTimeout (default 30 s): for the run; with a URL, for the answer and again for the exit.</summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>SlimImageSmokeTestUrl: a path such as <c>/healthz</c>, asked on the app's port; null for a run to its end.</summary>
    public string? UrlPath { get; init; }

    /// <summary>The port of a loopback URL (<c>http://localhost:5000/healthz</c>); null: the image's first exposed TCP port,
    /// else the first of ASPNETCORE_HTTP_PORTS, else 8080.</summary>
    public int? Port { get; init; }

    /// <summary>SlimImageSmokeTestRunner (default auto: namespaces as root, else docker or podman).</summary>
    public SmokeRunner Runner { get; init; } = SmokeRunner.Auto;

    /// <summary>
    /// Reads the SlimImageSmokeTest* properties; null when <paramref name="enabled"/> is not <c>true</c>. A bad value is
    /// SLIM5000 naming the property.
    /// </summary>
    public static SmokeTestSettings? Parse(string? enabled, string? args, string? exitCode, string? expect, string? timeoutSeconds,
        string? url, string? runner)
    {
        var on = enabled?.Trim() ?? "";
        if (on.Length == 0 || on.Equals("false", StringComparison.OrdinalIgnoreCase)) return null;
        if (!on.Equals("true", StringComparison.OrdinalIgnoreCase))
            throw Bad("SlimImageSmokeTest", on, "true or false");
        var (path, port) = ParseUrl(url);
        return new SmokeTestSettings
        {
            Args = string.IsNullOrWhiteSpace(args) ? null : args.Split(';').Select(a => a.Trim()).Where(a => a.Length > 0).ToList(),
            ExitCode = ParseInt(exitCode, "SlimImageSmokeTestExitCode", 0, 255, 0),
            Expect = ParseRegex(expect),
            Timeout = TimeSpan.FromSeconds(ParseInt(timeoutSeconds, "SlimImageSmokeTestTimeout", 1, 3600, (int)DefaultTimeout.TotalSeconds)),
            UrlPath = path,
            Port = port,
            Runner = ParseRunner(runner),
        };
    }

    private static int ParseInt(string? value, string property, int min, int max, int fallback)
    {
        if (string.IsNullOrWhiteSpace(value)) return fallback;
        if (!int.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < min || n > max)
            throw Bad(property, value.Trim(), $"a whole number from {min} to {max}");
        return n;
    }

    private static string? ParseRegex(string? value)
    {
        if (string.IsNullOrEmpty(value)) return null;
        try
        {
            _ = new Regex(value, RegexOptions.None, TimeSpan.FromSeconds(1));
            return value;
        }
        catch (ArgumentException e)
        {
            throw Bad("SlimImageSmokeTestExpect", value, "a .NET regular expression (" + e.Message + ")");
        }
    }

    /// <summary>
    /// <c>/healthz</c>, or a loopback URL naming the port, <c>http://localhost:5000/healthz</c>: the app is asked from
    /// inside its own network namespace, where only loopback exists.
    /// </summary>
    internal static (string? Path, int? Port) ParseUrl(string? value)
    {
        var text = value?.Trim() ?? "";
        if (text.Length == 0) return (null, null);
        if (text.StartsWith('/') && !text.StartsWith("//", StringComparison.Ordinal) && !text.Any(char.IsWhiteSpace))
            return (text, null);
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttp
            && (uri.IsLoopback || uri.Host == "localhost") && uri.UserInfo.Length == 0 && uri.Fragment.Length == 0)
            return (uri.PathAndQuery, uri.IsDefaultPort ? 80 : uri.Port);
        throw Bad("SlimImageSmokeTestUrl", text, "a path such as /healthz, or http://localhost:PORT/PATH");
    }

    private static SmokeRunner ParseRunner(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "auto" => SmokeRunner.Auto,
        "namespaces" => SmokeRunner.Namespaces,
        "docker" => SmokeRunner.Docker,
        "podman" => SmokeRunner.Podman,
        _ => throw Bad("SlimImageSmokeTestRunner", value.Trim(), "auto, namespaces, docker or podman"),
    };

    private static SlimException Bad(string property, string value, string what) => new("SLIM5000", property, value, what);
}
