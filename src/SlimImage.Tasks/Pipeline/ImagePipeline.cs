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
}

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
            var baseImage = BaseLoader.Load(request, platform, scratch, report, ct);
            CheckBaseFormat(request.Format, baseImage);
            clock.End("base");
            (var plan, publish) = PlanOnBase(request, publish, platform, baseImage, scratch, report);
            HostModes.Report(plan.Entries, report);
            clock.End("closure and rootfs plan");
            ct.ThrowIfCancellationRequested();
            var layers = LayerSplit.Split(plan, request.AssemblyName, request.Layering);

            var layerOptions = new LayerOptions(request.Timestamp, scratch, request.Compression, request.CompressionLevel);
            var cache = request.IntermediateDirectory == null ? null : Path.Combine(request.IntermediateDirectory, "layers");
            var ours = LayerSetWriter.Write(layers, layerOptions, cache, report, ct).Select(l => l.Blob).ToList();
            clock.End("layers");
            var blobs = baseImage.Layers.Concat(ours).ToList();
            var (entrypoint, cmd) = AppCommandComposer.Compose(request.Command with { AppCommand = appCommand }, baseImage.Config.Entrypoint);
            var labels = Labels.Compose(new LabelOptions(request.GeneratedLabels, request.Timestamp, baseImage.ImageName, baseImage.ManifestDigest, request.Labels));
            var config = ImageConfigFactory.Create(request, platform, entrypoint, cmd, layers.Select(l => l.CreatedBy).ToList(), labels);
            // The default PATH yields to the base's; one the user sets does not.
            var defaultsOnly = request.Environment.Any(e => e.Key == "PATH") ? new HashSet<string>() : new HashSet<string> { "PATH" };
            var image = ImageBuilder.Build(ConfigMerge.Merge(config, baseImage, defaultsOnly), blobs, request.Format);
            clock.End("image");
            var publishers = Publishers.For(request);
            var published = publishers.OfType<ArchivePublisher>().Select(p => p.Publish(image, report, ct)).ToList();
            var written = published.OfType<ArchivePublication>().FirstOrDefault()?.Archive;
            clock.End("archive");
            report(SlimDiagnostic.Info("SLIM1101", Summary(request, image, written, plan, publish.LeftOut)));
            // Pushes last, so that the build's output ends with the pushed references CI steps look for.
            published.AddRange(publishers.Where(p => p is not ArchivePublisher).Select(p => p.Publish(image, report, ct)));
            if (publishers.Any(p => p is not ArchivePublisher)) clock.End("push");
            report(SlimDiagnostic.Detail("SLIM3601", clock));
            return new ImageResult(written?.Path, request.Repository, request.Tags, image.Manifest.Digest.ToString(),
                image.CompressedSize, image.UncompressedSize, image.Layers.Count, plan)
            {
                Published = published,
                ArchiveDigest = written?.ArchiveDigest.ToString(),
                ArchiveIdentity = written?.Identity,
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
        if (zstd != null && !format.Supports(LayerCompression.Zstd))
            throw new SlimException("SLIM3705", baseImage.Name, zstd.Digest, format.Name);
    }

    /// <summary>The closure and the rootfs plan, without what the base already has at the same path.</summary>
    private static (RootfsPlan, PublishSelection) PlanOnBase(ImageRequest request, PublishSelection publish, Platform platform, LoadedBase baseImage,
        string scratch, Action<SlimDiagnostic> report)
    {
        var inBase = new List<string>();
        var outcome = ClosureStage.Run(request, publish, platform, baseImage.ClosureInputs, scratch, report);
        var closure = BaseOverlay.WithoutBaseLibraries(outcome.Closure, baseImage.Files, inBase);
        var planned = RootfsPlanner.Plan(request, outcome.Publish, closure, outcome.Needs);
        if (request.ScannerMetadata)
            planned = ScannerMetadata.Add(planned, request.Sysroot, report, e => BaseOverlay.ProvidesHostFile(baseImage.Files, e),
                BasePackagesOf(baseImage));
        var plan = BaseOverlay.Apply(planned, baseImage.Files, request.User, inBase);
        LoaderPath.Check(baseImage, outcome.Closure.Interpreters, plan);
        if (inBase.Count > 0)
            report(SlimDiagnostic.Info("SLIM3506", baseImage.Name, string.Join(", ", inBase.Distinct().Order(StringComparer.Ordinal))));
        ClosureStage.CheckExtractionHome(request, outcome.Bundles, plan, baseImage.Files);
        return (plan, outcome.Publish);
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
