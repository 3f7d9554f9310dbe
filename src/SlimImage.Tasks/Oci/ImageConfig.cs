namespace SlimImage.Oci;

/// <summary>
/// What the image's config blob says besides its layers (image-spec <c>config.md</c>). Lists keep the caller's
/// order (Env, Entrypoint, Cmd); maps and sets are written sorted (Labels, ExposedPorts), so the config depends on
/// content only.
/// </summary>
public sealed record ImageConfig
{
    /// <summary>"linux".</summary>
    public string Os { get; init; } = "linux";

    /// <summary>GOARCH spelling: "amd64" or "arm64".</summary>
    public required string Architecture { get; init; }

    /// <summary>CPU variant, e.g. "v8" for arm64, or null.</summary>
    public string? Variant { get; init; }

    /// <summary>"1654", "app" or "1654:1654"; null for root.</summary>
    public string? User { get; init; }

    /// <summary>Absolute path, e.g. "/app"; null to leave it to the runtime ("/").</summary>
    public string? WorkingDir { get; init; }

    /// <summary>e.g. ["/app/hello"].</summary>
    public IReadOnlyList<string> Entrypoint { get; init; } = [];

    /// <summary>Default arguments after the entrypoint; null or empty writes none.</summary>
    public IReadOnlyList<string>? Cmd { get; init; }

    /// <summary>"KEY=value" in the order given, e.g. "DOTNET_RUNNING_IN_CONTAINER=true".</summary>
    public IReadOnlyList<string> Env { get; init; } = [];

    /// <summary>Labels, written sorted by key (ordinal).</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>"port/protocol", e.g. "8080/tcp"; written sorted, duplicates once.</summary>
    public IReadOnlyList<string> ExposedPorts { get; init; } = [];

    /// <summary>The config's and the history's <c>created</c> (SOURCE_DATE_EPOCH or 1970), whole seconds, UTC.</summary>
    public DateTimeOffset Created { get; init; } = DateTimeOffset.UnixEpoch;

    /// <summary><c>created_by</c> of each layer, one per layer (or none at all), e.g. "SlimImage: app files".</summary>
    public IReadOnlyList<string> History { get; init; } = [];

    /// <summary>
    /// History of the base image's layers, written before <see cref="History"/>: its entries without
    /// <c>empty_layer</c> count for the first layers of the image.
    /// </summary>
    public IReadOnlyList<HistoryEntry> BaseHistory { get; init; } = [];

    /// <summary>
    /// Other members of the "config" object kept from a base, as raw JSON values by name (e.g. <c>Volumes</c>,
    /// <c>StopSignal</c>, <c>Healthcheck</c>); written after the ones above, sorted by name.
    /// </summary>
    public IReadOnlyDictionary<string, string> ExtraConfig { get; init; } = new Dictionary<string, string>();
}
