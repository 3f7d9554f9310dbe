namespace SlimImage.Registry;

/// <summary>How patient and how chunky the registry client is. The defaults suit a CI push; tests shorten them.</summary>
public sealed record RegistryOptions
{
    public static readonly RegistryOptions Default = new();

    /// <summary>
    /// Tries per request, counting the first, for 5xx, 429 and dropped connections. A timeout is not tried again:
    /// a registry that stalls would otherwise hold the build for this many timeouts.
    /// </summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>Wait before the second try; doubled each time (with jitter), capped by <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan FirstRetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>A request without a large body must be answered, body included, within this.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(100);

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>A request moving a blob gets <see cref="RequestTimeout"/> plus its size at this rate (bytes/s).</summary>
    public long SlowestRate { get; init; } = 256 * 1024;

    /// <summary>Blobs up to this size go in one PUT; larger ones in PATCH chunks of <see cref="ChunkSize"/>.</summary>
    public long MonolithicLimit { get; init; } = 32L << 20;

    public int ChunkSize { get; init; } = 16 << 20;

    /// <summary>Blobs from this size on report progress ("large" blobs).</summary>
    public long ProgressThreshold { get; init; } = 4L << 20;

    /// <summary>At most one progress line per blob per this interval.</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The most a manifest, index, config, token answer or error body may have. Real ones are a few KB; distribution
    /// itself refuses manifests over 4 MB.
    /// </summary>
    public int MaxDocumentSize { get; init; } = 4 << 20;

    /// <summary>
    /// A whole pull or push must end within this plus the size of its blobs at <see cref="SlowestRate"/>, retries,
    /// waits and token requests included.
    /// </summary>
    public TimeSpan TotalTimeout { get; init; } = TimeSpan.FromMinutes(30);

    // CancelAfter takes at most about 49 days; a size from a hostile manifest must not overflow it.
    private static readonly TimeSpan Longest = TimeSpan.FromDays(7);

    internal TimeSpan TimeoutFor(long bytes) => Cap(RequestTimeout + TransferTime(bytes));

    /// <summary><paramref name="bytes"/> at <see cref="SlowestRate"/>, capped.</summary>
    internal TimeSpan TransferTime(long bytes) =>
        TimeSpan.FromSeconds(Math.Min(Math.Max(bytes, 0) / (double)SlowestRate, Longest.TotalSeconds));

    internal static TimeSpan Cap(TimeSpan t) => t < TimeSpan.Zero ? TimeSpan.Zero : t > Longest ? Longest : t;
}
