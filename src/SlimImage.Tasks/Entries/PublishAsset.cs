namespace SlimImage.Entries;

/// <summary>
/// A publish file's metadata from <c>ResolvedFileToPublish</c>: the NuGet package (id and version) it came from, and
/// its asset type (<c>runtime</c>, <c>native</c>, <c>resources</c>, …); empty strings are null.
/// </summary>
public sealed record PublishAsset(string? PackageId, string? PackageVersion, string? AssetType);
