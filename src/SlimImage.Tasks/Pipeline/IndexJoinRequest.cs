namespace SlimImage.Pipeline;

/// <summary>
/// <c>PublishSlimImageIndex</c>: join images already in <see cref="Registry"/> into one index under <see cref="Tags"/>
/// of <see cref="Repository"/>, read from MSBuild (or a test) at the edge.
/// </summary>
public sealed record IndexJoinRequest
{
    /// <summary>SlimImageRegistry: host[:port] of the registry the sources are in and the index goes to.</summary>
    public required string Registry { get; init; }

    /// <summary>SlimImageRepository: where the index goes.</summary>
    public required string Repository { get; init; }

    /// <summary>SlimImageTags: the tags that will point to the index.</summary>
    public required IReadOnlyList<string> Tags { get; init; }

    /// <summary>SlimImageIndexSources, one entry each: a tag, an <c>@sha256:…</c> digest or a reference in the same registry.</summary>
    public required IReadOnlyList<string> Sources { get; init; }

    /// <summary>SlimImageInsecureRegistries, as written.</summary>
    public IReadOnlyList<string> InsecureRegistries { get; init; } = [];

    /// <summary>SlimImageCacheDirectory; empty for the default.</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>A test's own registry settings (fast retries); null reads them as a build does.</summary>
    public Registry.RegistrySettings? Registries { get; init; }
}
