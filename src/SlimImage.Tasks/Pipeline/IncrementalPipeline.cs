using SlimImage.Diagnostics;
using SlimImage.FileSystem;
using SlimImage.Layers;
using SlimImage.Output;
using SlimImage.Base;
using SlimImage.Incremental;
using SlimImage.Entries;
using SlimImage.Oci;

namespace SlimImage.Pipeline;

/// <summary>
/// Runs <see cref="ImagePipeline"/> only when something it depends on changed since the last build, as make does
/// with a dependency file: the record of the last build lists every host file the image was made from (publish
/// output, host libraries, ICU, SlimImage files and their folders, the layer cache folder) with size and mtime, the
/// request's fingerprint, and the archive's sha256 taken while it was written. When all match and the archive still
/// has that sha256, the archive is left untouched.
/// </summary>
/// <remarks>
/// Size and mtime prove nothing: a file rewritten in place and given its old mtime back keeps both. The archive's
/// identity does (<see cref="FileIdentity"/>: inode and the ctime only the kernel sets), at the cost of one statx;
/// when it differs (the file was touched, copied back, or changed) the archive is hashed in full (sha256 runs at about
/// 1.3 GB/s with the CPU's SHA extensions: some 70 ms for 93 MB) and kept only if it still has the sha256 it was
/// written with. Every build starts by removing the temp files and scratch folders of builds that were killed
/// (<see cref="FileSystem.TempFiles"/>).
/// </remarks>
public static class IncrementalPipeline
{
    public const string RecordFileName = "last-build.txt";

    /// <summary>Where the finished archive goes next does not change its bytes: loading elsewhere needs no rebuild.</summary>
    /// The step summary file is another one in every CI step, and only receives a copy of the report.
    private static readonly HashSet<string> NotInputs = [nameof(ImageRequest.Load), nameof(ImageRequest.ClientEnvironment), nameof(ImageRequest.StepSummaryPath)];

    /// <summary>Everything known before any image work that decides the archive (<see cref="InputFingerprint"/>).</summary>
    public static string Fingerprint(ImageRequest request) => InputFingerprint.Of(request, request.PublishFiles.Select(f => f.HostPath), NotInputs);

    public static ImageResult Run(ImageRequest request, Action<SlimDiagnostic> report, CancellationToken ct)
    {
        RemoveStaleTempFiles(request, report);
        if (request.IntermediateDirectory == null || !CanSkip(request))
            return ImagePipeline.Run(request, report, ct);
        var recordPath = Path.Combine(request.IntermediateDirectory, RecordFileName);
        var fingerprint = Fingerprint(request);
        var last = BuildRecord.Read(recordPath);
        if (last != null && UpToDate.IsCurrent(last, fingerprint, request.ArchivePath, recordPath, report))
        {
            report(SlimDiagnostic.Info("SLIM1402", request.ArchivePath));
            if (request.Report && !request.PlatformImage) Report.ReportWriter.AppendExisting(ReportStage.Paths(request).Markdown, request.StepSummaryPath, report);
            // As a push would, a load still happens: the daemon may have lost the image since the last build.
            var loaded = request.Load == null ? [] : new List<Publication>
            {
                new DaemonPublication(Digest.Parse(last.ManifestDigest),
                    Daemon.DaemonLoader.LoadArchive(request.ArchivePath, request.Load, request.ClientEnvironment, report, ct)),
            };
            var sbom = request.Sbom is { } format ? Sbom.SbomStage.PathFor(request.ArchivePath, format) : null;
            return new ImageResult(request.ArchivePath, last.Repository, last.Tags, last.ManifestDigest, last.CompressedSize,
                last.UncompressedSize, last.LayerCount, new RootfsPlan([], [])) { Published = loaded, SbomPath = File.Exists(sbom) ? sbom : null };
        }

        // The old record stays until this build succeeds: if it fails, the record still describes the archive on disk.
        var result = ImagePipeline.Run(request, report, ct);
        if (result.ArchivePath == null || result.ArchiveDigest == null)
            return result;
        try
        {
            var folders = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true };
            var dependencies = result.Plan.Entries.Where(e => e.SourcePath != null).Select(e => e.SourcePath!)
                .Concat(request.Files.Where(f => Directory.Exists(f.HostPath))
                    .SelectMany(f => Directory.EnumerateDirectories(f.HostPath, "*", folders).Prepend(f.HostPath)))
                .Concat(BaseArchive(request) is { } baseArchive ? [baseArchive] : [])
                // Deleting the layer cache (as SLIM3600 advises) must build again, even with the archive intact; so must
                // deleting or changing the SBOM beside it.
                .Append(LayerFolder(request.IntermediateDirectory))
                .Concat(result.ReportFiles)
                .Concat(result.SbomPath is { } sbomFile ? [sbomFile] : [])
                .Distinct(StringComparer.Ordinal)
                .Select(FileStamp.Of)
                .ToList();
            new BuildRecord(fingerprint, FileStamp.Of(result.ArchivePath), result.ArchiveDigest, result.ArchiveIdentity ?? "", dependencies, result.Repository, result.Tags,
                result.ManifestDigest, result.CompressedSize, result.UncompressedSize, result.LayerCount).Write(recordPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Without a record the next publish builds again; the archive written is what matters.
            try { File.Delete(recordPath); } catch (Exception d) when (d is IOException or UnauthorizedAccessException) { }
        }
        return result;
    }

    /// <summary>
    /// Only what the record can vouch for is skipped: a push must still happen (the registry may have lost the
    /// image, and CI steps read the pushed references), a registry base's tag may have moved, and busybox comes
    /// from outside the plan. Those builds still reuse every cached layer.
    /// </summary>
    private static bool CanSkip(ImageRequest request) =>
        request.Registry == null && request.Base is BaseSource.Scratch or BaseSource.Archive;

    private static string? BaseArchive(ImageRequest request) => (request.Base as BaseSource.Archive)?.Path;

    private static IEnumerable<string> ReportTempFiles(ImageRequest request, string archiveFolder)
    {
        return ReportStage.Files(request).SelectMany(file =>
            TempFiles.RemoveStale(archiveFolder, Report.ReportWriter.TempPrefix(file), Report.ReportWriter.TempSuffix)).ToList();
    }

    private static string LayerFolder(string intermediateDirectory) => Path.GetFullPath(Path.Combine(intermediateDirectory, "layers"));

    /// <summary>
    /// Temp files of killed builds: the archive's and the scratch folders beside the archive, the layers' in the layer
    /// cache. Only these two folders, only SlimImage's own temp names, only when their writer has ended.
    /// </summary>
    private static void RemoveStaleTempFiles(ImageRequest request, Action<SlimDiagnostic> report)
    {
        var archiveFolder = Path.GetDirectoryName(Path.GetFullPath(request.ArchivePath))!;
        var removed = TempFiles.RemoveStale(archiveFolder, ImageArchive.TempPrefix(request.ArchivePath), ImageArchive.TempSuffix)
            .Concat(TempFiles.RemoveStale(archiveFolder, ImagePipeline.ScratchPrefix, "", folders: true))
            .Concat(request.Report ? ReportTempFiles(request, archiveFolder) : []).ToList();
        if (removed.Count > 0)
            report(SlimDiagnostic.Info("SLIM3603", archiveFolder, string.Join(", ", removed)));
        if (request.IntermediateDirectory == null) return;
        var layers = LayerFolder(request.IntermediateDirectory);
        removed = TempFiles.RemoveStale(layers, LayerWriter.TempPrefix, LayerWriter.TempSuffix).ToList();
        if (removed.Count > 0)
            report(SlimDiagnostic.Info("SLIM3603", layers, string.Join(", ", removed)));
    }

}
