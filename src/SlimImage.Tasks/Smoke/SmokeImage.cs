using System.Globalization;
using System.Text.Json;
using SlimImage.Oci;

namespace SlimImage.Smoke;

/// <summary>
/// One image (one platform) as the smoke run sees it: its layer blobs bottom first, and what its config says about
/// running it. Multi-platform builds hand in one of these per platform.
/// </summary>
public sealed record SmokeImage(string Name, IReadOnlyList<LayerBlob> Layers, string Architecture, IReadOnlyList<string> Entrypoint,
    IReadOnlyList<string> Cmd, IReadOnlyList<KeyValuePair<string, string>> Env, string? User, string WorkingDir, IReadOnlyList<int> TcpPorts)
{
    /// <summary>The image's identity for messages and the container runners (its config digest, the "image ID").</summary>
    public Digest ConfigDigest { get; init; }

    /// <summary>Reads what the run needs from a built image's config (image-spec config.md).</summary>
    public static SmokeImage From(string name, BuiltImage image)
    {
        using var json = JsonDocument.Parse(image.ConfigBytes);
        var root = json.RootElement;
        var config = root.TryGetProperty("config", out var c) && c.ValueKind == JsonValueKind.Object ? c : default;
        var env = Strings(config, "Env").Select(e => e.Split('=', 2)).Select(p => KeyValuePair.Create(p[0], p.Length > 1 ? p[1] : "")).ToList();
        var ports = new List<int>();
        if (config.ValueKind == JsonValueKind.Object && config.TryGetProperty("ExposedPorts", out var exposed) && exposed.ValueKind == JsonValueKind.Object)
            foreach (var port in exposed.EnumerateObject())
            {
                var parts = port.Name.Split('/');
                if ((parts.Length == 1 || parts[1] == "tcp") && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is > 0 and < 65536)
                    ports.Add(n);
            }
        var workingDir = String(config, "WorkingDir");
        return new SmokeImage(name, image.Layers, root.TryGetProperty("architecture", out var a) ? a.GetString() ?? "" : "",
            Strings(config, "Entrypoint"), Strings(config, "Cmd"), env, String(config, "User"),
            string.IsNullOrEmpty(workingDir) ? "/" : workingDir, ports)
        {
            ConfigDigest = image.Config.Digest,
        };
    }

    /// <summary>The argv of the run: the entrypoint, then <paramref name="args"/> in place of Cmd when given (as <c>docker run IMAGE ARGS</c>).</summary>
    public IReadOnlyList<string> Argv(IReadOnlyList<string>? args) => [.. Entrypoint, .. args ?? Cmd];

    /// <summary>The port a server is asked on: the first exposed TCP port, else ASPNETCORE_HTTP_PORTS's first, else 8080.</summary>
    public int ServerPort()
    {
        if (TcpPorts.Count > 0) return TcpPorts.Min();
        var http = Env.LastOrDefault(e => e.Key == "ASPNETCORE_HTTP_PORTS").Value ?? "";
        foreach (var part in http.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            if (int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is > 0 and < 65536)
                return n;
        return 8080;
    }

    private static string? String(JsonElement config, string name) =>
        config.ValueKind == JsonValueKind.Object && config.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static List<string> Strings(JsonElement config, string name) =>
        config.ValueKind == JsonValueKind.Object && config.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array
            ? v.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList()
            : [];
}
