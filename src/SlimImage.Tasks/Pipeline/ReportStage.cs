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
    public static (string Html, string Markdown) Paths(ImageRequest request) => Paths(request.ArchivePath, request.WriteArchive);

    /// <summary>The report files of the archive <paramref name="archivePath"/> (or, when only pushing, of where it would be).</summary>
    public static (string Html, string Markdown) Paths(string archivePath, bool writeArchive)
    {
        var stem = writeArchive ? archivePath : Path.ChangeExtension(archivePath, null);
        return (stem + ".report.html", stem + ".report.md");
    }

    /// <summary>Where one platform image of a multi-platform publish keeps its report's data: beside its archive in obj/.</summary>
    public static string DataPath(string platformArchivePath) => platformArchivePath + ".report.json";

    /// <summary>The files the report of <paramref name="request"/> consists of (none without SlimImageReport).</summary>
    public static IReadOnlyList<string> Files(ImageRequest request) =>
        !request.Report ? [] : request.PlatformImage ? [DataPath(request.ArchivePath)] : [Paths(request).Html, Paths(request).Markdown];

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
        if (request.PlatformImage) ReportData.Write(DataPath(request.ArchivePath), [ReportModel.Of(one)], ct);
        else ReportWriter.Write([one], Options(request), report, ct);
    }
}
