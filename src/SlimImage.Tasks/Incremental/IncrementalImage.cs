using SlimImage.Diagnostics;
using SlimImage.Pipeline;
using SlimImage.Rootfs;

namespace SlimImage.Incremental;

/// <summary>
/// Runs <see cref="ImagePipeline"/> only when something it depends on changed since the last build, as make does
/// with a dependency file: the record of the last build lists every host file the image was made from (publish
/// output, host libraries, ICU, SlimImage files and their folders) with size and mtime, and the request's
/// fingerprint. When all match and the archive is as it was written, the archive is left untouched.
/// </summary>
public static class IncrementalImage
{
    public const string RecordFileName = "last-build.txt";

    public static ImageResult Run(ImageRequest request, Action<SlimDiagnostic> report, CancellationToken ct)
    {
        if (request.IntermediateDirectory == null || !CanSkip(request))
            return ImagePipeline.Run(request, report, ct);
        var recordPath = Path.Combine(request.IntermediateDirectory, RecordFileName);
        var fingerprint = InputFingerprint.Of(request);
        var last = BuildRecord.Read(recordPath);
        if (last != null && IsCurrent(last, fingerprint, request.ArchivePath))
        {
            report(SlimDiagnostic.Info("SLIM1402", request.ArchivePath));
            // As a push would, a load still happens: the daemon may have lost the image since the last build.
            var loaded = request.Load == null ? [] : new List<Output.Publication>
            {
                new Daemon.DaemonPublication(Image.Digest.Parse(last.ManifestDigest),
                    Daemon.DaemonPublisher.LoadArchive(request.ArchivePath, request.Load, request.ClientEnvironment, report, ct)),
            };
            return new ImageResult(request.ArchivePath, last.Repository, last.Tags, last.ManifestDigest, last.CompressedSize,
                last.UncompressedSize, last.LayerCount, new RootfsPlan([], [])) { Published = loaded };
        }

        // The old record stays until this build succeeds: if it fails, the record still describes the archive on disk.
        var result = ImagePipeline.Run(request, report, ct);
        if (result.ArchivePath == null)
            return result;
        try
        {
            var folders = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true };
            var dependencies = result.Plan.Entries.Where(e => e.SourcePath != null).Select(e => e.SourcePath!)
                .Concat(request.Files.Where(f => Directory.Exists(f.HostPath))
                    .SelectMany(f => Directory.EnumerateDirectories(f.HostPath, "*", folders).Prepend(f.HostPath)))
                .Concat(BaseArchive(request) is { } baseArchive ? [baseArchive] : [])
                .Distinct(StringComparer.Ordinal)
                .Select(FileStamp.Of)
                .ToList();
            new BuildRecord(fingerprint, FileStamp.Of(result.ArchivePath), dependencies, result.Repository, result.Tags,
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
        request.Registry == null && (Base.BaseLoader.IsScratch(request.Base) || BaseArchive(request) != null);

    private static string? BaseArchive(ImageRequest request) =>
        Base.BaseLoader.IsScratch(request.Base) || Base.BaseLoader.IsBusybox(request.Base) || !File.Exists(request.Base)
            ? null
            : Path.GetFullPath(request.Base);

    private static bool IsCurrent(BuildRecord last, string fingerprint, string archivePath) =>
        last.Fingerprint == fingerprint
        && last.Archive.Path == Path.GetFullPath(archivePath)
        && last.Archive.IsCurrent()
        && last.Dependencies.All(d => d.IsCurrent());
}
