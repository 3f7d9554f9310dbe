using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using SlimImage.Diagnostics;
using SlimImage.Pipeline;

namespace SlimImage.Tasks;

/// <summary>
/// <c>-t:PublishSlimImageIndex</c>: joins images already in the registry (built by one CI job per architecture) into
/// one index under <c>SlimImageTags</c>, uploading no layer (<see cref="IndexPipeline.Join"/>).
/// </summary>
public sealed class PublishSlimImageIndex : SlimTask
{
    /// <summary>SlimImageRegistry: the registry the sources are in and the index goes to, e.g. <c>registry.example.com</c>.</summary>
    public string? Registry { get; set; }

    /// <summary>SlimImageRepository: the index's repository, e.g. <c>team/app</c>.</summary>
    [Required]
    public string Repository { get; set; } = "";

    /// <summary>SlimImageTags: the tags that will point to the index, e.g. <c>1.2.3;latest</c>.</summary>
    public string[] Tags { get; set; } = [];

    /// <summary>SlimImageIndexSources: tags, <c>@sha256:…</c> digests or references in the same registry, e.g. <c>1.2.3-amd64;1.2.3-arm64</c>.</summary>
    public string[] Sources { get; set; } = [];

    /// <summary>SlimImageInsecureRegistries: hosts spoken to in plain HTTP.</summary>
    public string[] InsecureRegistries { get; set; } = [];

    /// <summary>SlimImageCacheDirectory: which repository holds which blob, for mounts.</summary>
    public string? CacheDirectory { get; set; }

    /// <summary>One item per tag (<c>registry/repository:tag</c>, metadata <c>ManifestDigest</c> = <c>IndexDigest</c>,
    /// <c>DigestReference</c>, <c>Registry</c>, <c>Repository</c>, <c>Tag</c>) and one per platform image
    /// (<c>registry/repository@sha256:…</c>, metadata <c>Platform</c>, <c>Source</c>, <c>ManifestDigest</c>, <c>IndexDigest</c>).</summary>
    [Output]
    public ITaskItem[] PushedImages { get; private set; } = [];

    protected override string WhenCancelled => "no tag was moved.";

    protected override void Run(CancellationToken ct)
    {
        var registry = Registry?.Trim() ?? "";
        var request = new IndexJoinRequest
        {
            Registry = registry,
            Repository = Repository.Trim(),
            Tags = Tags.Select(t => t.Trim()).Where(t => t.Length > 0).Distinct().DefaultIfEmpty("latest").ToList(),
            Sources = Sources.Select(s => s.Trim()).Where(s => s.Length > 0).ToList(),
            InsecureRegistries = InsecureRegistries,
            CacheDirectory = CacheDirectory,
        };
        PushedImages = PushedItems.Of(IndexPipeline.Join(request, Report, ct));
    }
}

/// <summary>The <c>SlimImagePushedImage</c> items of a pushed index: one per tag, then one per platform image.</summary>
internal static class PushedItems
{
    public static ITaskItem[] Of(PushedIndex result)
    {
        var items = new List<ITaskItem>();
        foreach (var tag in result.Tags)
            items.Add(Item(tag.Reference, result, result.IndexDigest, result.IndexMediaType, tag.DigestReference, tag.Tag, "", "", ""));
        foreach (var image in result.Images)
            items.Add(Item(image.DigestReference, result, image.ManifestDigest, image.MediaType, image.DigestReference, "", image.Platform,
                image.Source, image.RuntimeIdentifier ?? ""));
        return items.ToArray();
    }

    private static TaskItem Item(string spec, PushedIndex result, string digest, string mediaType, string digestReference, string tag,
        string platform, string source, string rid)
    {
        var item = new TaskItem(spec);
        item.SetMetadata("ManifestDigest", digest);
        item.SetMetadata("IndexDigest", result.IndexDigest);
        item.SetMetadata("MediaType", mediaType);
        item.SetMetadata("DigestReference", digestReference);
        item.SetMetadata("Registry", result.Registry);
        item.SetMetadata("Repository", result.Repository);
        item.SetMetadata("Tag", tag);
        item.SetMetadata("Platform", platform);
        item.SetMetadata("Source", source);
        item.SetMetadata("RuntimeIdentifier", rid);
        return item;
    }
}
