using System.Globalization;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using SlimImage.Diagnostics;
using SlimImage.Pipeline;

namespace SlimImage.Tasks;

/// <summary>
/// The outer build of <c>SlimImageRuntimeIdentifiers</c>: joins the platform images the inner publishes wrote into one
/// multi-platform archive, and pushes or loads it (<see cref="IndexPipeline.Build"/>).
/// </summary>
public sealed class CreateSlimImageIndex : SlimTask
{
    /// <summary>The inner publishes' archives (<c>obj/…/&lt;rid&gt;/slimimage/platform.tar</c>), metadata <c>RuntimeIdentifier</c>, in the index's order.</summary>
    [Required]
    public ITaskItem[] PlatformImages { get; set; } = [];

    /// <summary>The platforms in the order of SlimImageRuntimeIdentifiers (the inner publishes may finish in any order).</summary>
    public string[] PlatformOrder { get; set; } = [];

    /// <summary>Where the multi-platform archive goes, e.g. <c>bin/Release/net10.0/app.tar</c>.</summary>
    [Required]
    public string ArchiveOutputPath { get; set; } = "";

    /// <summary>False when only pushing.</summary>
    public bool WriteArchive { get; set; } = true;

    [Required]
    public string Repository { get; set; } = "";

    public string[] Tags { get; set; } = [];

    /// <summary>NETCoreSdkPortableRuntimeIdentifier: whose platform manifest.json names.</summary>
    [Required]
    public string HostRuntimeIdentifier { get; set; } = "";

    /// <summary>SOURCE_DATE_EPOCH.</summary>
    public string? SourceDateEpoch { get; set; }

    /// <summary>SlimImageRegistry: push every platform, then the index under each tag.</summary>
    public string? Registry { get; set; }

    public string[] InsecureRegistries { get; set; } = [];

    public string? CacheDirectory { get; set; }

    /// <summary>SlimImageLoad (docker, podman, true).</summary>
    public string? Load { get; set; }

    public string? LocalRegistry { get; set; }

    public string? LoadTimeout { get; set; }

    /// <summary>SlimImageReport: the size report beside the archive, one section per platform.</summary>
    public bool WriteReport { get; set; }

    /// <summary>GITHUB_STEP_SUMMARY, read by the targets: the report's Markdown is appended to it.</summary>
    public string? StepSummary { get; set; }

    /// <summary>obj/…/slimimage/ of this build: the record of the last index.</summary>
    public string? IntermediateDirectory { get; set; }

    /// <summary>The archive (metadata <c>Repository</c>, <c>Tags</c>, <c>ManifestDigest</c> = <c>IndexDigest</c>, <c>Platforms</c>,
    /// <c>Sbom</c>: each platform's SBOM beside it, <c>;</c>-separated); none when only pushed.</summary>
    [Output]
    public ITaskItem? Archive { get; private set; }

    /// <summary>One item per tag and one per platform image, as <c>PublishSlimImageIndex</c> gives.</summary>
    [Output]
    public ITaskItem[] PushedImages { get; private set; } = [];

    protected override string WhenCancelled => "no archive was written and no tag was moved.";

    protected override void Run(CancellationToken ct)
    {
        var registry = string.IsNullOrWhiteSpace(Registry) ? null : Registry.Trim();
        var request = new IndexImageRequest
        {
            Platforms = PlatformImages.Select(i => new PlatformArchiveInput(i.GetMetadata("RuntimeIdentifier"), i.GetMetadata("FullPath")))
                .OrderBy(p => Array.FindIndex(PlatformOrder, r => string.Equals(r, p.RuntimeIdentifier, StringComparison.OrdinalIgnoreCase))).ToList(),
            ArchivePath = Path.GetFullPath(ArchiveOutputPath),
            WriteArchive = WriteArchive,
            Repository = Repository.Trim(),
            Tags = Tags.Select(t => t.Trim()).Where(t => t.Length > 0).Distinct().DefaultIfEmpty("latest").ToList(),
            HostRuntimeIdentifier = HostRuntimeIdentifier,
            Timestamp = RequestValidator.ParseSourceDateEpoch(SourceDateEpoch),
            Registry = registry,
            InsecureRegistries = InsecureRegistries,
            CacheDirectory = CacheDirectory,
            Load = Load,
            LocalRegistry = LocalRegistry,
            LoadTimeout = LoadTimeout,
            IntermediateDirectory = string.IsNullOrWhiteSpace(IntermediateDirectory) ? null : Path.GetFullPath(IntermediateDirectory),
            Report = WriteReport,
            StepSummaryPath = WriteReport && !string.IsNullOrWhiteSpace(StepSummary) ? Path.GetFullPath(StepSummary.Trim()) : null,
        };
        var result = IndexPipeline.Build(request, Report, ct);
        if (result.ArchivePath != null)
        {
            var item = new TaskItem(result.ArchivePath);
            item.SetMetadata("Repository", request.Repository);
            item.SetMetadata("Tags", string.Join(";", request.Tags));
            item.SetMetadata("ManifestDigest", result.IndexDigest);
            item.SetMetadata("IndexDigest", result.IndexDigest);
            item.SetMetadata("Platforms", string.Join(";", request.Platforms.Select(p => p.RuntimeIdentifier)));
            if (result.SbomPaths.Count > 0) item.SetMetadata("Sbom", string.Join(";", result.SbomPaths));
            if (result.CompressedSize is { } size) item.SetMetadata("CompressedSize", size.ToString(CultureInfo.InvariantCulture));
            Archive = item;
        }
        PushedImages = result.Pushed == null ? [] : PushedItems.Of(result.Pushed);
    }
}
