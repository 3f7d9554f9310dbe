using SlimImage.Base;
using SlimImage.Diagnostics;
using SlimImage.Image;
using SlimImage.Layers;
using SlimImage.Publish;
using SlimImage.Report;
using SlimImage.Rootfs;
using SlimImage.Oci;
using SlimImage.Entries;

namespace SlimImage.Pipeline;

/// <summary>Builds the size report's options and input from a finished build (<c>SlimImageReport=true</c>).</summary>
internal static class ReportStage
{
    /// <summary>
    /// The report files: beside the archive (<c>app.tar.report.html</c>, <c>app.tar.report.md</c>); when only
    /// pushing, in the folder the archive would have gone to, named after it without <c>.tar</c>.
    /// </summary>
    public static (string Html, string Markdown) Paths(ImageRequest request)
    {
        var stem = request.WriteArchive ? request.ArchivePath : Path.ChangeExtension(request.ArchivePath, null);
        return (stem + ".report.html", stem + ".report.md");
    }

    public static ReportOptions Options(ImageRequest request)
    {
        var (html, markdown) = Paths(request);
        var name = (request.Registry == null ? "" : request.Registry + "/") + request.Repository + ":" + string.Join(",", request.Tags);
        return new ReportOptions(html, markdown, name, request.Timestamp) { StepSummaryPath = request.StepSummaryPath };
    }

    public static void Write(ImageRequest request, Platform platform, BuiltImage image, IReadOnlyList<LayerContent> layers, RootfsPlan plan,
        HostPackages packages, LoadedBase baseImage, IReadOnlyList<LeftOutFile> leftOut,
        Action<SlimDiagnostic> report, CancellationToken ct)
    {
        var one = new ReportImage("linux/" + platform.Architecture + (platform.Variant == null ? "" : "/" + platform.Variant), image, layers)
        {
            BaseName = baseImage.Name,
            BaseFiles = baseImage.Files.Entries.ToList(),
            HostFiles = plan.HostFiles,
            LeftOut = leftOut,
            Packages = packages.Owners.ToDictionary(o => o.Key, o => o.Value.Name, StringComparer.Ordinal),
        };
        ReportWriter.Write([one], Options(request), report, ct);
    }
}
