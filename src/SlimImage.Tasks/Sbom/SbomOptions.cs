using SlimImage.Diagnostics;
using SlimImage.Image;
using SlimImage.Oci;

namespace SlimImage.Sbom;

/// <summary>The SBOM's format (<c>SlimImageSbomFormat</c>).</summary>
public enum SbomFormat
{
    /// <summary>SPDX 2.3 JSON, <c>application/spdx+json</c>, <c>&lt;archive&gt;.spdx.json</c> (the default, as ko).</summary>
    Spdx,

    /// <summary>CycloneDX 1.6 JSON, <c>application/vnd.cyclonedx+json</c>, <c>&lt;archive&gt;.cdx.json</c>.</summary>
    CycloneDx,
}

/// <summary>Media types, file names and the property parser of <see cref="SbomFormat"/>.</summary>
public static class SbomFormats
{
    public static string MediaType(this SbomFormat format) =>
        format == SbomFormat.Spdx ? "application/spdx+json" : "application/vnd.cyclonedx+json";

    /// <summary>The format whose media type an artifact has, or null when it is no SBOM of ours.</summary>
    public static SbomFormat? OfMediaType(string mediaType) =>
        mediaType == SbomFormat.Spdx.MediaType() ? SbomFormat.Spdx : mediaType == SbomFormat.CycloneDx.MediaType() ? SbomFormat.CycloneDx : null;

    /// <summary>What the file next to the archive ends with.</summary>
    public static string Extension(this SbomFormat format) => format == SbomFormat.Spdx ? ".spdx.json" : ".cdx.json";

    /// <summary>
    /// Reads <c>SlimImageSbom</c> (<c>true</c>: on; empty or <c>false</c>: off; else SLIM5100) and
    /// <c>SlimImageSbomFormat</c> (empty or <c>spdx</c>, <c>cyclonedx</c>; else SLIM5101). Null: no SBOM.
    /// </summary>
    public static SbomFormat? Parse(string? enabled, string? format)
    {
        var on = enabled?.Trim().ToLowerInvariant() switch
        {
            // Off unless asked for: an archive whose index.json lists the SBOM artifact beside the image makes skopeo
            // (and tools built on it) ask which image of oci-archive:app.tar is meant, so the default archive stays one image.
            "true" => true,
            null or "" or "false" => false,
            _ => throw new SlimException("SLIM5100", enabled),
        };
        var parsed = format?.Trim().ToLowerInvariant() switch
        {
            null or "" or "spdx" => SbomFormat.Spdx,
            "cyclonedx" or "cdx" => SbomFormat.CycloneDx,
            _ => throw new SlimException("SLIM5101", format),
        };
        return on ? parsed : null;
    }
}

/// <summary>
/// What the SBOM stage needs besides the image: built by the pipeline from the request.
/// </summary>
/// <param name="Format">SPDX or CycloneDX.</param>
/// <param name="AppName">The app's assembly name: its package in the SBOM.</param>
/// <param name="Repository">The image's repository: the SBOM describes <c>repository@sha256:…</c>.</param>
/// <param name="Timestamp">SOURCE_DATE_EPOCH (or the Unix epoch): the document's creation time.</param>
/// <param name="Architecture">The image's architecture as OCI and Debian name it (<c>amd64</c>, <c>arm64</c>).</param>
public sealed record SbomOptions(SbomFormat Format, string AppName, string Repository, DateTimeOffset Timestamp, string Architecture)
{
    public string? AppVersion { get; init; }
    /// <summary>The app's source repository (SourceLink's RepositoryUrl), e.g. <c>https://github.com/org/app</c>.</summary>
    public string? SourceRepositoryUrl { get; init; }
    /// <summary>The commit the app was built from (SourceRevisionId).</summary>
    public string? SourceRevision { get; init; }
    /// <summary>The sysroot the host files came from: its <c>/usr/share/doc/&lt;package&gt;/copyright</c> give Debian licences.</summary>
    public string Sysroot { get; init; } = "/";
    /// <summary>NuGet package folders (NuGetPackageFolders / NuGetPackageRoot) holding each package's <c>.nuspec</c>.</summary>
    public IReadOnlyList<string> PackageFolders { get; init; } = [];
    /// <summary>The base image's name as the user gave it; null for scratch.</summary>
    public string? BaseName { get; init; }
    /// <summary>The base's config digest (its image ID); null for scratch and busybox.</summary>
    public Digest? BaseDigest { get; init; }
}
