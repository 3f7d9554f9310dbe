using System.Globalization;
using SlimImage.Diagnostics;
using SlimImage.Oci;
using SlimImage.Incremental;
using SlimImage.Output;
using SlimImage.Platforms;
using SlimImage.Registry;
using SlimImage.Report;
using SlimImage.Sbom;

namespace SlimImage.Pipeline;

/// <summary>
/// The entry points of multi-platform images: the check of the platforms before any publish, the join of images
/// already in a registry into one index (<c>PublishSlimImageIndex</c>), and the index of the platform images one
/// publish built.
/// </summary>
public static class IndexPipeline
{
    /// <summary>SlimImageRuntimeIdentifiers checked (SLIM53xx), each platform with its sysroot; SLIM1002 when the project
    /// asked for a framework-dependent publish.</summary>
    public static IReadOnlyList<CheckedPlatform> CheckPlatforms(string runtimeIdentifiers, string defaultSysroot,
        IReadOnlyDictionary<string, string> sysroots, bool nativeAot, bool frameworkDependentRequested)
    {
        if (frameworkDependentRequested) throw new SlimException("SLIM1002");
        return PlatformCheck.Check(new PlatformsRequest(runtimeIdentifiers, defaultSysroot, sysroots, nativeAot))
            .Select(p => new CheckedPlatform(p.RuntimeIdentifier, p.Sysroot)).ToList();
    }

    /// <summary>Checks the request (SLIM1008, SLIM1009, SLIM15xx, SLIM53xx) before any request to the registry, then joins.</summary>
    public static PushedIndex Join(IndexJoinRequest request, Action<SlimDiagnostic> report, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Registry)) throw new SlimException("SLIM5317", "SlimImageRegistry");
        if (request.Sources.Count == 0) throw new SlimException("SLIM5317", "SlimImageIndexSources");
        if (!RegistryHost.IsValid(request.Registry)) throw new SlimException("SLIM1501", request.Registry);
        RequestValidator.ValidateRepository(request.Repository);
        foreach (var tag in request.Tags) RequestValidator.ValidateTag(tag);
        var sources = request.Sources.Select(s => IndexSource.Parse(s, request.Registry, request.Repository)).ToList();
        var settings = request.Registries ?? RequestReader.ReadRegistrySettings(request.Registry, request.InsecureRegistries, request.CacheDirectory,
            report, System.Environment.GetEnvironmentVariable);
        return PushedIndex.From(IndexPusher.Join(sources, request.Registry, request.Repository, request.Tags, settings, report, ct));
    }

    /// <summary>
    /// The outer build of a multi-platform publish: the platform archives of the inner publishes read back, joined into
    /// one archive (<see cref="IndexArchive"/>), loaded, and pushed (every platform by digest, then the index under each
    /// tag). With nothing changed since the last index and its archive intact, nothing is read or written (SLIM5322).
    /// </summary>
    public static IndexImageResult Build(IndexImageRequest request, Action<SlimDiagnostic> report, CancellationToken ct)
    {
        RequestValidator.ValidateRepository(request.Repository);
        foreach (var tag in request.Tags) RequestValidator.ValidateTag(tag);
        if (request.Registry != null && !RegistryHost.IsValid(request.Registry)) throw new SlimException("SLIM1501", request.Registry);
        var load = Daemon.LoadTarget.Parse(request.Load, request.LocalRegistry, request.LoadTimeout);
        // What a killed build left beside the archive: its temp file and scratch folder (only SlimImage's own names).
        var folder = Path.GetDirectoryName(Path.GetFullPath(request.ArchivePath))!;
        var removed = FileSystem.TempFiles.RemoveStale(folder, ImageArchive.TempPrefix(request.ArchivePath), ImageArchive.TempSuffix)
            .Concat(FileSystem.TempFiles.RemoveStale(folder, ImagePipeline.ScratchPrefix, "", folders: true)).ToList();
        if (removed.Count > 0) report(SlimDiagnostic.Info("SLIM3603", folder, string.Join(", ", removed)));
        var recordPath = request.IntermediateDirectory == null ? null : Path.Combine(request.IntermediateDirectory, IndexRecord.FileName);
        var fingerprint = IndexRecord.FingerprintOf(
            [request.ArchivePath, request.Repository, string.Join(";", request.Tags), request.HostRuntimeIdentifier,
             request.Timestamp.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), request.Report ? "report" : "",
             .. request.Platforms.Select(p => p.RuntimeIdentifier)],
            request.Platforms.Select(p => p.ArchivePath).Concat(request.Report ? request.Platforms.Select(p => ReportStage.DataPath(p.ArchivePath)) : []));
        if (request.WriteArchive && request.Registry == null && recordPath != null && IndexRecord.Read(recordPath) is { } last
            && last.Fingerprint == fingerprint && last.ArchivePath == Path.GetFullPath(request.ArchivePath) && last.ArchiveIsIntact()
            && BesideFilesExist(request))
        {
            report(SlimDiagnostic.Info("SLIM5322", last.ArchivePath, last.IndexDigest));
            if (request.Report) Report.ReportWriter.AppendExisting(ReportStage.Paths(request.ArchivePath, true).Markdown, request.StepSummaryPath, report);
            if (load != null) Daemon.DaemonLoader.LoadArchive(last.ArchivePath, load, request.Environment, report, ct);
            return new IndexImageResult(last.ArchivePath, last.IndexDigest, null, null) { SbomPaths = PlatformSboms(request).Where(File.Exists).ToList() };
        }

        var scratch = Path.Combine(folder, ImagePipeline.ScratchPrefix + FileSystem.TempFiles.Owner());
        try
        {
            var images = request.Platforms.Select((p, i) => PlatformArchive.Read(p.ArchivePath, p.RuntimeIdentifier, scratch, $"platform{i}-", ct)).ToList();
            var host = images.FirstOrDefault(i => string.Equals(i.RuntimeIdentifier, request.HostRuntimeIdentifier, StringComparison.OrdinalIgnoreCase)) ?? images[0];
            IndexArchiveResult? written = null;
            if (request.WriteArchive || request.Registry == null || request.Load != null)
            {
                written = IndexArchive.Write(request.ArchivePath, images, host, request.Repository, request.Tags, request.Timestamp, ct);
                report(SlimDiagnostic.Info("SLIM5321", written.Path, $"{request.Repository}:{string.Join(",", request.Tags)}", written.Index.Digest,
                    Describe(images), SharedLayers(images), host.Entry.Platform));
                if (recordPath != null)
                {
                    try { new IndexRecord(fingerprint, written.Path, written.ArchiveDigest.ToString(), written.Identity ?? "", written.Index.Digest.ToString()).Write(recordPath); }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* the next publish writes again */ }
                }
            }
            var sboms = written == null ? [] : WriteSboms(request.ArchivePath, images);
            if (request.Report) WriteReport(request, report, ct);
            if (load != null && written != null)
                Daemon.DaemonLoader.LoadArchive(written.Path, load, request.Environment, report, ct);
            var pushed = request.Registry == null ? null
                : IndexPusher.Push(images, request.Registry, request.Repository, request.Tags,
                    RequestReader.ReadRegistrySettings(request.Registry, request.InsecureRegistries, request.CacheDirectory, report, request.Environment), report, ct);
            var index = written?.Index.Digest ?? pushed!.Index.Digest;
            return new IndexImageResult(written?.Path, index.ToString(), images.Sum(i => i.Image.CompressedSize), pushed == null ? null : PushedIndex.From(pushed))
            {
                SbomPaths = sboms,
            };
        }
        finally
        {
            try { if (Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true); }
            catch (IOException) { /* a leftover temp folder is harmless; the next build removes it */ }
        }
    }

    /// <summary>Where the SBOM of one platform goes beside the archive: <c>app.tar.linux-arm64.spdx.json</c>.</summary>
    private static string PlatformSbomStem(string archivePath, string rid) => archivePath + "." + rid;

    /// <summary>The SBOM files a platform's publish wrote beside its own archive, by where they go beside this one.</summary>
    private static IEnumerable<string> PlatformSboms(IndexImageRequest request) =>
        request.Platforms.SelectMany(p => Enum.GetValues<SbomFormat>()
            .Where(f => File.Exists(SbomStage.PathFor(p.ArchivePath, f)))
            .Select(f => SbomStage.PathFor(PlatformSbomStem(request.ArchivePath, p.RuntimeIdentifier), f)));

    /// <summary>Whether what goes beside an unchanged archive is still there: the report, and each platform's SBOM.</summary>
    private static bool BesideFilesExist(IndexImageRequest request)
    {
        var (html, markdown) = ReportStage.Paths(request.ArchivePath, true);
        return (!request.Report || (File.Exists(html) && File.Exists(markdown))) && PlatformSboms(request).All(File.Exists);
    }

    /// <summary>
    /// One SBOM per platform image beside the archive (<c>app.tar.&lt;rid&gt;.spdx.json</c>), the bytes of the artifact
    /// attached to it; the SBOM of a single-platform build of the same archive path, and of a platform without one, removed.
    /// </summary>
    private static IReadOnlyList<string> WriteSboms(string archivePath, IReadOnlyList<PlatformImage> images)
    {
        SbomStage.WriteBeside(archivePath, null);
        var written = new List<string>();
        foreach (var image in images)
        {
            var sbom = image.Image.Referrers.Select(r => SbomFormats.OfMediaType(r.ArtifactType) is { } format ? new SbomResult(r.Blob.ToArray(), format, r) : null)
                .FirstOrDefault(s => s != null);
            if (SbomStage.WriteBeside(PlatformSbomStem(archivePath, image.RuntimeIdentifier), sbom) is { } path) written.Add(path);
        }
        return written;
    }

    /// <summary>The size report of every platform, one section each, from the data each platform's publish kept.</summary>
    private static void WriteReport(IndexImageRequest request, Action<SlimDiagnostic> report, CancellationToken ct)
    {
        var models = request.Platforms.SelectMany(p => ReportData.Read(ReportStage.DataPath(p.ArchivePath))).ToList();
        var (html, markdown) = ReportStage.Paths(request.ArchivePath, request.WriteArchive);
        var title = (request.Registry == null ? "" : request.Registry + "/") + request.Repository + ":" + string.Join(",", request.Tags);
        ReportWriter.Write(models, new ReportOptions(html, markdown, title, request.Timestamp) { StepSummaryPath = request.StepSummaryPath }, report, ct);
    }

    private static string Describe(IReadOnlyList<PlatformImage> images) => string.Join(", ", images.Select(i =>
        $"{i.Entry.Platform} from {i.RuntimeIdentifier} ({i.Image.Manifest.Digest}, {ByteSize.Format(i.Image.CompressedSize)} in {i.Image.Layers.Count} layer(s))"));

    /// <summary>How many layer blobs more than one platform uses (stored once in the archive, pushed once).</summary>
    private static int SharedLayers(IReadOnlyList<PlatformImage> images) =>
        images.SelectMany(i => i.Image.Layers.Select(l => l.Digest).Distinct()).GroupBy(d => d).Count(g => g.Count() > 1);
}

/// <summary>What a multi-platform build produced: the archive (null when only pushed), the index digest, the platform
/// images' compressed size (null when the archive was up to date), and the push.</summary>
public sealed record IndexImageResult(string? ArchivePath, string IndexDigest, long? CompressedSize, PushedIndex? Pushed)
{
    /// <summary>The SBOM of each platform image written beside the archive, in the index's order.</summary>
    public IReadOnlyList<string> SbomPaths { get; init; } = [];
}
