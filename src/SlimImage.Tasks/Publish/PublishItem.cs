using SlimImage.Entries;

namespace SlimImage.Publish;

/// <summary>What a <c>ResolvedFileToPublish</c> item says a publish file is.</summary>
public static class PublishItem
{
    /// <summary>
    /// The publish file of an item: below the publish folder at <paramref name="relativePath"/> (the file name when
    /// empty), from the app, a runtime pack or a NuGet package as <paramref name="packageId"/> says, keeping the
    /// package's id and version and the asset type for the summary, the report and the SBOM.
    /// </summary>
    public static PublishFile ToFile(string fullPath, string itemSpec, string? relativePath, string? packageId, string? packageVersion, string? assetType)
    {
        var relative = string.IsNullOrEmpty(relativePath) ? Path.GetFileName(itemSpec) : relativePath;
        return new PublishFile(fullPath, relative, OriginOf(packageId))
        {
            Asset = new PublishAsset(NullIfEmpty(packageId), NullIfEmpty(packageVersion), NullIfEmpty(assetType)),
        };
    }

    /// <summary>
    /// The app's own file without a package; a runtime pack (<c>Microsoft.NETCore.App.Runtime.&lt;rid&gt;</c>,
    /// <c>Microsoft.AspNetCore.App.Runtime.&lt;rid&gt;</c>, the older <c>runtime.&lt;rid&gt;.*</c> packages) is the
    /// runtime; any other package is a package.
    /// </summary>
    public static EntryOrigin OriginOf(string? packageId)
    {
        if (string.IsNullOrWhiteSpace(packageId))
            return EntryOrigin.App;
        return packageId.Contains(".App.Runtime.", StringComparison.OrdinalIgnoreCase)
               || packageId.StartsWith("runtime.", StringComparison.OrdinalIgnoreCase)
            ? EntryOrigin.Runtime
            : EntryOrigin.Package;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
