namespace SlimImage.Pipeline;

/// <summary>One platform image an inner publish wrote: its runtime identifier and its archive in obj/.</summary>
public sealed record PlatformArchiveInput(string RuntimeIdentifier, string ArchivePath);

/// <summary>
/// The outer build of a multi-platform publish: join the platform images the inner publishes wrote into one
/// archive (an image index), and push or load it, read from MSBuild (or a test) at the edge.
/// </summary>
public sealed record IndexImageRequest
{
    /// <summary>One per platform, in the order of SlimImageRuntimeIdentifiers: the index lists them in that order.</summary>
    public required IReadOnlyList<PlatformArchiveInput> Platforms { get; init; }

    /// <summary>SlimImageArchiveOutputPath (default <c>bin/…/&lt;repository&gt;.tar</c>).</summary>
    public required string ArchivePath { get; init; }

    /// <summary>False only when pushing alone (SlimImageRegistry set, SlimImageArchiveOutputPath not).</summary>
    public bool WriteArchive { get; init; } = true;

    public required string Repository { get; init; }

    public IReadOnlyList<string> Tags { get; init; } = ["latest"];

    /// <summary>The build machine's runtime identifier: its platform's image is the one <c>manifest.json</c> names.</summary>
    public required string HostRuntimeIdentifier { get; init; }

    /// <summary>SOURCE_DATE_EPOCH, for the archive's tar entries.</summary>
    public DateTimeOffset Timestamp { get; init; } = DateTimeOffset.UnixEpoch;

    /// <summary>SlimImageRegistry; null pushes nothing.</summary>
    public string? Registry { get; init; }

    /// <summary>SlimImageInsecureRegistries, as written.</summary>
    public IReadOnlyList<string> InsecureRegistries { get; init; } = [];

    /// <summary>SlimImageCacheDirectory; empty for the default.</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>SlimImageLoad (docker, podman, true), LocalRegistry and SlimImageLoadTimeout, as written: load the written
    /// archive (docker and podman load the build machine's platform).</summary>
    public string? Load { get; init; }

    public string? LocalRegistry { get; init; }

    public string? LoadTimeout { get; init; }

    /// <summary>The environment of registry credentials and of the daemon client, read at the edge.</summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;

    /// <summary>SlimImageReport: one size report beside the archive with a section per platform, from the data each
    /// platform's publish kept beside its archive.</summary>
    public bool Report { get; init; }

    /// <summary>GITHUB_STEP_SUMMARY: the report's Markdown is appended to it; null for none.</summary>
    public string? StepSummaryPath { get; init; }

    /// <summary>obj/…/slimimage/ of the outer build, for the record of the last index; null: always write.</summary>
    public string? IntermediateDirectory { get; init; }
}
