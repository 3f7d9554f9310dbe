using SlimImage.Base;
using SlimImage.Image;
using SlimImage.Layers;
using SlimImage.Publish;
using SlimImage.Rootfs;
using SlimImage.Oci;
using SlimImage.Entries;

namespace SlimImage.Report;

/// <summary>
/// Where the size report goes and how large it may grow. Built by the pipeline from the request; the environment
/// (<c>GITHUB_STEP_SUMMARY</c>) is read at the edge and arrives here as a value.
/// </summary>
/// <param name="HtmlPath">The self-contained HTML page (<c>&lt;archive&gt;.report.html</c>).</param>
/// <param name="MarkdownPath">The same as Markdown tables (<c>&lt;archive&gt;.report.md</c>).</param>
/// <param name="Title">What the report is of, e.g. <c>myapp:1.0</c>.</param>
/// <param name="Timestamp">The build's one timestamp (SOURCE_DATE_EPOCH): the only date the report shows.</param>
public sealed record ReportOptions(string HtmlPath, string MarkdownPath, string Title, DateTimeOffset Timestamp)
{
    /// <summary>A file the Markdown is appended to (GitHub Actions' <c>$GITHUB_STEP_SUMMARY</c>); null for none.</summary>
    public string? StepSummaryPath { get; init; }

    /// <summary>Files drawn one by one per origin in the treemap; the smaller rest is one box.</summary>
    public int FilesPerOrigin { get; init; } = 24;

    /// <summary>Origins drawn one by one per layer in the treemap; the smaller rest is one box.</summary>
    public int OriginsPerLayer { get; init; } = 40;

    /// <summary>Rows of a table beyond which the rest is one line ("and 312 more, 1.2 MB").</summary>
    public int TableRows { get; init; } = 200;

    /// <summary>How many of the largest files the report lists.</summary>
    public int LargestFiles { get; init; } = 20;
}

/// <summary>
/// One image (one platform) as the pipeline built it: the report has one section per <see cref="ReportImage"/>, so
/// that a multi-platform build passes one per platform.
/// </summary>
/// <param name="Platform">e.g. <c>linux/amd64</c>.</param>
/// <param name="Image">The built image: digests and the sizes of every layer, the base's first.</param>
/// <param name="Layers">SlimImage's own layers, in order, with their entries; they follow the base's in <see cref="Image"/>.</param>
public sealed record ReportImage(string Platform, BuiltImage Image, IReadOnlyList<LayerContent> Layers)
{
    /// <summary>The base's name (<c>scratch</c>, <c>busybox</c>, an archive or a reference).</summary>
    public string BaseName { get; init; } = "scratch";

    /// <summary>The base's files after its layers are applied, each with its size and layer.</summary>
    public IReadOnlyList<BaseEntry> BaseFiles { get; init; } = [];

    /// <summary>Every host file or data set taken, with why (which file needs it, which runtime probe).</summary>
    public IReadOnlyList<HostFileUse> HostFiles { get; init; } = [];

    /// <summary>Publish files left out of the image, with size and why.</summary>
    public IReadOnlyList<LeftOutFile> LeftOut { get; init; } = [];

    /// <summary>The Debian package of host files by image path (from the sysroot's dpkg lists, read once).</summary>
    public IReadOnlyDictionary<string, string> Packages { get; init; } = new Dictionary<string, string>();
}
