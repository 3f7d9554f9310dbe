using SlimImage.Tar;
using System.Globalization;
using System.Text;
using SlimImage.Base;
using SlimImage.Closure;
using SlimImage.Diagnostics;
using SlimImage.Image;
using SlimImage.Layers;
using SlimImage.Output;
using SlimImage.Publish;
using SlimImage.Rootfs;
using SlimImage.Runtime;
using SlimImage.Oci;
using SlimImage.Entries;
using SlimImage.Sbom;

namespace SlimImage.Pipeline;

/// <summary>What a finished run wrote. <see cref="ArchivePath"/> is null when the image was only pushed.</summary>
public sealed record ImageResult(string? ArchivePath, string Repository, IReadOnlyList<string> Tags, string ManifestDigest,
    long CompressedSize, long UncompressedSize, int LayerCount, RootfsPlan Plan)
{
    /// <summary>What each publisher did (archive, registry push), in order.</summary>
    public IReadOnlyList<Publication> Published { get; init; } = [];

    /// <summary>sha256 of the archive file as written (<c>sha256:…</c>); null when no archive was written.</summary>
    public string? ArchiveDigest { get; init; }

    /// <summary>The archive file's identity right after it was written (see <c>FileSystem.FileIdentity</c>), if known.</summary>
    public string? ArchiveIdentity { get; init; }

    /// <summary>Every tag pushed, for the <c>SlimImagePushedImage</c> items.</summary>
    public IReadOnlyList<PushedReference> Pushed => Published.OfType<RegistryPublication>()
        .SelectMany(p => p.Push.Tags.Select(t => new PushedReference(t.Reference, t.ManifestDigest.ToString(), t.DigestReference, p.Push.Registry, p.Push.Repository, t.Tag)))
        .ToList();

    /// <summary>The client that loaded the archive (docker, podman) and the names it reported; null when none did.</summary>
    public LoadedImage? Loaded => Published.OfType<DaemonPublication>().Select(d => new LoadedImage(d.Load.Cli.Name, d.Load.Images)).FirstOrDefault();

    /// <summary>The size report's files (SlimImageReport=true), which a later publish must find unchanged to skip.</summary>
    public IReadOnlyList<string> ReportFiles { get; init; } = [];
    /// <summary>The SBOM written beside the archive (<c>&lt;archive&gt;.spdx.json</c>); null when none was.</summary>
    public string? SbomPath { get; init; }
}

/// <summary>One pushed tag: <c>localhost:5000/app:1.0</c>, its manifest digest and digest reference.</summary>
public sealed record PushedReference(string Reference, string ManifestDigest, string DigestReference, string Registry, string Repository, string Tag);

/// <summary>What the local daemon's client said it loaded.</summary>
public sealed record LoadedImage(string Client, IReadOnlyList<string> Images);

/// <summary>
/// The whole pipeline, one stage after the other: publish output → ELF closure (with what the runtime dlopens) →
/// rootfs plan → layers → image → archive. Knows nothing of MSBuild; messages go to <c>report</c>, failures are
/// <see cref="SlimException"/>s.
/// </summary>
public static class ImagePipeline
{
    public static ImageResult Run(ImageRequest request, Action<SlimDiagnostic> report, CancellationToken ct)
    {
        var platform = Platform.FromRuntimeIdentifier(request.RuntimeIdentifier);
        var clock = new StageClock();

        var publish = PublishOutput.Select(request.PublishFiles, new PublishOptions(request.IncludeDebugSymbols, request.IncludeLttng, request.TrimDiagnostics));
        var appCommand = AppCommand(request, publish);
        foreach (var left in publish.LeftOut)
            report(SlimDiagnostic.Info("SLIM1103", left.File.RelativePath, ByteSize.Format(left.Size), left.Why));
        clock.End("publish output");

        var scratch = Path.Combine(Path.GetDirectoryName(request.ArchivePath)!, ScratchPrefix + FileSystem.TempFiles.Owner());
        try
        {
            var baseImage = BaseLoader.Load(request.Base, StageOptions.Base(request), platform, scratch, report, ct);
            CheckBaseFormat(request.Format, baseImage);
            clock.End("base");
            (var plan, publish, var packages) = PlanOnBase(request, publish, platform, baseImage, scratch, report);
            HostModes.Report(plan.Entries, report);
            clock.End("closure and rootfs plan");
            ct.ThrowIfCancellationRequested();
            var layers = LayerSplit.Split(plan, request.AssemblyName, request.Layering, request.PlatformFilesApart);

            // A base SlimImage writes itself (busybox) is one more layer of ours: the same compression, pool and cache.
            var own = baseImage.OwnLayer.Count > 0 ? [new LayerContent("busybox", baseImage.OwnLayer)] : new List<LayerContent>();
            var layerResults = LayerSetWriter.Write([.. own, .. layers], StageOptions.Layers(request, scratch) with { FileChecksums = request.Sbom != null },
                StageOptions.LayerCache(request), report, ct);
            var written = layerResults.Select(l => l.Blob).ToList();
            clock.End("layers");
            var blobs = baseImage.Layers.Concat(written).ToList();
            var (entrypoint, cmd) = AppCommandComposer.Compose(request.Command with { AppCommand = appCommand }, baseImage.Config.Entrypoint);
            var labels = Labels.Compose(new LabelOptions(request.GeneratedLabels, request.Timestamp, baseImage.ImageName, baseImage.ManifestDigest, request.Labels));
            var config = ImageConfigFactory.Create(request, platform, entrypoint, cmd, layers.Select(l => l.CreatedBy).ToList(), labels);
            // The default PATH yields to the base's; one the user sets does not.
            var defaultsOnly = request.Environment.Any(e => e.Key == "PATH") ? new HashSet<string>() : new HashSet<string> { "PATH" };
            var image = ImageBuilder.Build(ConfigMerge.Merge(config, baseImage, defaultsOnly), blobs, request.Format);
            clock.End("image");
            var checksums = layerResults.SelectMany(l => l.Files).ToList();
            var sbom = request.Sbom is { } format ? SbomStage.Run(SbomRequest.Options(request, format, platform, baseImage), image.Manifest,
                plan.Entries, packages, checksums, SbomRequest.BaseFiles(baseImage, checksums), report) : null;
            // A Docker-format image is for registries that take nothing else: an OCI artifact manifest is not attached.
            if (sbom != null && request.Format == ImageFormat.Oci) image = image with { Referrers = [sbom.Referrer] };
            if (sbom != null) clock.End("sbom");
            var publishers = Publishers.For(request);
            var published = publishers.OfType<ArchivePublisher>().Select(p => p.Publish(image, report, ct)).ToList();
            var archive = published.OfType<ArchivePublication>().FirstOrDefault()?.Archive;
            var sbomPath = archive == null ? null : SbomStage.WriteBeside(archive.Path, sbom);
            if (sbomPath != null && request.Format != ImageFormat.Oci) report(SlimDiagnostic.Info("SLIM5107", sbomPath));
            clock.End("archive");
            SmokeStage.Run(request, image, archive, sbomPath, scratch, report, ct);
            report(SlimDiagnostic.Info("SLIM1101", Summary(request, image, archive, plan, publish.LeftOut)));
            if (request.Report) ReportStage.Write(request, platform, image, layers, plan, packages, baseImage, publish.LeftOut, report, ct);
            // Pushes last, so that the build's output ends with the pushed references CI steps look for.
            published.AddRange(publishers.Where(p => p is not ArchivePublisher).Select(p => p.Publish(image, report, ct)));
            if (publishers.Any(p => p is not ArchivePublisher)) clock.End("push");
            report(SlimDiagnostic.Detail("SLIM3601", clock));
            return new ImageResult(archive?.Path, request.Repository, request.Tags, image.Manifest.Digest.ToString(),
                image.CompressedSize, image.UncompressedSize, image.Layers.Count, plan)
            {
                Published = published,
                ArchiveDigest = archive?.ArchiveDigest.ToString(),
                ArchiveIdentity = archive?.Identity,
                ReportFiles = ReportStage.Files(request),
                SbomPath = sbomPath,
            };
        }
        finally
        {
            try { if (Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true); }
            catch (IOException) { /* a leftover temp folder is harmless; the archive is what matters */ }
        }
    }

    /// <summary>The start of the name of a build's scratch folder beside the archive, <c>.slimimage-{pid}-{random}</c>.</summary>
    public const string ScratchPrefix = ".slimimage-";

    /// <summary>The app command: ContainerAppCommand, else SlimImageEntrypoint, else the app's own executable.</summary>
    private static IReadOnlyList<string> AppCommand(ImageRequest request, PublishSelection publish)
    {
        if (request.Command.AppCommand.Count > 0)
            return request.Command.AppCommand;
        if (request.Entrypoint.Count > 0)
            return request.Entrypoint;
        if (request.Command.Instruction == AppCommandInstruction.None)
            return [];
        if (!publish.Kept.Any(f => f.RelativePath == request.AssemblyName))
            throw new SlimException("SLIM1005", request.PublishDirectory, request.AssemblyName);
        return [ImageRequest.AppDirectory + "/" + request.AssemblyName];
    }

    /// <summary>
    /// A base layer is reused byte for byte, so it keeps its compression: a zstd layer has no Docker media type
    /// (SLIM3705), checked before any layer of ours is written.
    /// </summary>
    private static void CheckBaseFormat(ImageFormat format, LoadedBase baseImage)
    {
        var zstd = baseImage.Layers.FirstOrDefault(l => l.MediaType == MediaTypes.LayerZstd);
        if (zstd != null && !format.Supports(CompressionFormat.Zstd))
            throw new SlimException("SLIM3705", baseImage.Name, zstd.Digest, format.Name);
    }

    /// <summary>The closure and the rootfs plan, without what the base already has at the same path.</summary>
    private static (RootfsPlan, PublishSelection, HostPackages) PlanOnBase(ImageRequest request, PublishSelection publish, Platform platform, LoadedBase baseImage,
        string scratch, Action<SlimDiagnostic> report)
    {
        var inBase = new List<string>();
        var outcome = ClosureStage.Run(request, publish, platform, baseImage.ClosureInputs, scratch, report);
        var closure = BaseOverlay.WithoutBaseLibraries(outcome.Closure, baseImage.Files, inBase);
        var planned = RootfsPlanner.Plan(StageOptions.Rootfs(request), outcome.Publish, closure, outcome.Needs);
        var lookup = System.Diagnostics.Stopwatch.StartNew();
        var packages = request.ScannerMetadata || request.Sbom != null || request.Report
            ? ScannerMetadata.Lookup(planned, request.Sysroot, report, e => BaseOverlay.ProvidesHostFile(baseImage.Files, e)) : HostPackages.None;
        if (request.ScannerMetadata)
            planned = ScannerMetadata.Add(planned, packages, report, lookup.Elapsed, BasePackagesOf(baseImage));
        var plan = BaseOverlay.Apply(planned, baseImage.Files, request.User, inBase);
        LoaderPath.Check(baseImage, outcome.Closure.Interpreters, plan);
        if (inBase.Count > 0)
            report(SlimDiagnostic.Info("SLIM3506", baseImage.Name, string.Join(", ", inBase.Distinct().Order(StringComparer.Ordinal))));
        ClosureStage.CheckExtractionHome(request, outcome.Bundles, plan, baseImage.Files);
        return (plan, outcome.Publish, packages);
    }

    /// <summary>The base's own dpkg database, which the image's package list extends.</summary>
    private static BasePackages BasePackagesOf(LoadedBase baseImage)
    {
        var files = baseImage.Files;
        if (files.Count == 0) return BasePackages.None;
        var status = files.Content(DpkgDatabase.StatusFile);
        var statusD = files.Entries.Where(e => e.Kind == EntryKind.File && e.Path.StartsWith(ScannerMetadata.StatusDir + "/", StringComparison.Ordinal))
            .Select(e => e.Path[(ScannerMetadata.StatusDir.Length + 1)..]);
        return BasePackages.Read(baseImage.Name, status, status == null && files.Get(DpkgDatabase.StatusFile) is { Kind: EntryKind.File },
            statusD, files.Content(ScannerMetadata.OsRelease) ?? files.Content("/usr/lib/os-release"));
    }

    private static string Summary(ImageRequest request, BuiltImage image, ArchiveResult? written, RootfsPlan plan, IReadOnlyList<LeftOutFile> leftOut)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture,
            $"{written?.Path ?? request.Registry + "/" + request.Repository} ({request.Repository}:{string.Join(",", request.Tags)}, {image.Manifest.Digest}): " +
            $"{ByteSize.Format(image.CompressedSize)} compressed, {ByteSize.Format(image.UncompressedSize)} uncompressed, {image.Layers.Count} layer(s).");
        foreach (var host in plan.HostFiles)
            text.Append(CultureInfo.InvariantCulture, $"\n  {host.ImagePath} ({ByteSize.Format(host.Size)}) from {host.HostPath}: {host.Why}");
        foreach (var left in leftOut)
            text.Append(CultureInfo.InvariantCulture, $"\n  left out: {left.File.RelativePath} ({ByteSize.Format(left.Size)})");
        return text.ToString();
    }

}
