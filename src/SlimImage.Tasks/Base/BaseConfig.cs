using System.Text.Json;
using SlimImage.Oci;

namespace SlimImage.Base;

/// <summary>
/// What SlimImage reads from, or keeps of, a base image's config (image-spec config.md; Docker's config is the same
/// JSON). Fields it does not model are kept raw in <see cref="Extra"/>, so a Healthcheck or StopSignal of the base
/// survives.
/// </summary>
public sealed record BaseConfig
{
    public string Os { get; init; } = "linux";
    public string? Architecture { get; init; }
    public string? Variant { get; init; }
    public string? User { get; init; }
    public string? WorkingDir { get; init; }
    public IReadOnlyList<string> Entrypoint { get; init; } = [];
    public IReadOnlyList<string> Cmd { get; init; } = [];
    /// <summary>"NAME=value" in the base's order.</summary>
    public IReadOnlyList<string> Env { get; init; } = [];
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    /// <summary>"8080/tcp".</summary>
    public IReadOnlyList<string> ExposedPorts { get; init; } = [];
    public IReadOnlyList<Digest> DiffIds { get; init; } = [];
    public IReadOnlyList<HistoryEntry> History { get; init; } = [];
    /// <summary>Other members of "config" worth keeping (Volumes, StopSignal, Healthcheck, Shell), raw JSON by name.</summary>
    public IReadOnlyDictionary<string, string> Extra { get; init; } = new Dictionary<string, string>();

    /// <summary>An empty config: what a base SlimImage makes itself (busybox) starts from.</summary>
    public static readonly BaseConfig Empty = new();

    // Members of "config" that SlimImage sets itself, or that must not be inherited: OnBuild triggers apply to a
    // Dockerfile FROM and Docker clears them in the child; the rest are Windows-only or legacy.
    private static readonly HashSet<string> NotKept = new(StringComparer.Ordinal)
    {
        "User", "WorkingDir", "Entrypoint", "Cmd", "Env", "Labels", "ExposedPorts", "OnBuild", "ArgsEscaped",
        "Image", "Hostname", "Domainname", "AttachStdin", "AttachStdout", "AttachStderr", "Tty", "OpenStdin", "StdinOnce",
    };

    /// <summary>
    /// Parses a config blob. Throws <see cref="JsonException"/> or <see cref="FormatException"/> when it is not one,
    /// <see cref="InvalidDigestException"/> naming <paramref name="document"/> for a diff_id that is not a digest.
    /// </summary>
    public static BaseConfig Parse(ReadOnlySpan<byte> json, string document = "the config")
    {
        using var doc = JsonDocument.Parse(json.ToArray());
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("rootfs", out var rootfs))
            throw new FormatException("the config has no rootfs");
        var diffIds = rootfs.GetProperty("diff_ids").EnumerateArray()
            .Select((d, i) => Digest.Parse(d.ValueKind == JsonValueKind.String ? d.GetString() : null, $"{document}, rootfs.diff_ids[{i}]")).ToList();
        var c = root.TryGetProperty("config", out var cfg) && cfg.ValueKind == JsonValueKind.Object ? cfg : default;
        var extra = new Dictionary<string, string>(StringComparer.Ordinal);
        if (c.ValueKind == JsonValueKind.Object)
            foreach (var p in c.EnumerateObject())
                if (!NotKept.Contains(p.Name) && p.Value.ValueKind != JsonValueKind.Null)
                    extra[p.Name] = p.Value.GetRawText();
        return new BaseConfig
        {
            Os = Str(root, "os") ?? "linux",
            Architecture = Str(root, "architecture"),
            Variant = Str(root, "variant"),
            User = Str(c, "User"),
            WorkingDir = Str(c, "WorkingDir"),
            Entrypoint = Strings(c, "Entrypoint"),
            Cmd = Strings(c, "Cmd"),
            Env = Strings(c, "Env"),
            Labels = Map(c, "Labels"),
            ExposedPorts = c.ValueKind == JsonValueKind.Object && c.TryGetProperty("ExposedPorts", out var ports)
                && ports.ValueKind == JsonValueKind.Object
                ? ports.EnumerateObject().Select(p => p.Name).ToList() : [],
            DiffIds = diffIds,
            History = root.TryGetProperty("history", out var h) && h.ValueKind == JsonValueKind.Array
                ? h.EnumerateArray().Select(HistoryEntry.From).ToList() : [],
            Extra = extra,
        };
    }

    private static string? Str(JsonElement o, string name) =>
        o.ValueKind == JsonValueKind.Object && o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString() : null;

    private static IReadOnlyList<string> Strings(JsonElement o, string name) =>
        o.ValueKind == JsonValueKind.Object && o.TryGetProperty(name, out var a) && a.ValueKind == JsonValueKind.Array
            ? a.EnumerateArray().Select(x => x.GetString() ?? "").ToList() : [];

    private static IReadOnlyDictionary<string, string> Map(JsonElement o, string name) =>
        o.ValueKind == JsonValueKind.Object && o.TryGetProperty(name, out var m) && m.ValueKind == JsonValueKind.Object
            ? m.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "", StringComparer.Ordinal)
            : new Dictionary<string, string>();
}
