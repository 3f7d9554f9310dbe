namespace SlimImage.Sbom;

/// <summary>What a package of the SBOM is; decides its purpose (SPDX) or type (CycloneDX).</summary>
public enum SbomPackageKind { Image, Application, OperatingSystem, NuGet, Debian, BaseImage }

/// <summary>One package of the SBOM.</summary>
/// <param name="Id">Stable and unique: <c>SPDXRef-…</c>, also the CycloneDX bom-ref.</param>
/// <param name="Kind">What it is.</param>
/// <param name="Name">Its name (NuGet id, Debian package, assembly name, repository).</param>
/// <param name="Version">Its version; null when unknown.</param>
public sealed record SbomPackage(string Id, SbomPackageKind Kind, string Name, string? Version)
{
    public string? Purl { get; init; }
    /// <summary>An SPDX licence expression, or null (NOASSERTION).</summary>
    public string? License { get; init; }
    /// <summary>Where it comes from (<c>git+https://…@commit</c>); null (NOASSERTION) when unknown.</summary>
    public string? DownloadLocation { get; init; }
    /// <summary>The sha256 hex of what identifies it (an image's manifest or config).</summary>
    public string? Sha256 { get; init; }
    /// <summary>A sentence on where the data came from (SPDX sourceInfo).</summary>
    public string? SourceInfo { get; init; }
    /// <summary>The package that contains this one (the OS for a Debian package); null: the image.</summary>
    public string? Parent { get; init; }
}

/// <summary>One file of the image with its checksums and the package it belongs to (null: the image itself).</summary>
public sealed record SbomFile(string Id, string Path, string Sha1, string Sha256, string? PackageId);

/// <summary>A licence an expression names with <c>LicenseRef-…</c>, and its text (or where to find it).</summary>
public sealed record ExtractedLicense(string Id, string Name, string Text);

/// <summary>
/// The whole SBOM, independent of the format: the image (<see cref="Root"/>), its packages and files, sorted.
/// </summary>
public sealed record SbomDocument(string Name, DateTimeOffset Created, string ToolVersion, SbomPackage Root,
    IReadOnlyList<SbomPackage> Packages, IReadOnlyList<SbomFile> Files, IReadOnlyList<ExtractedLicense> Licenses);
