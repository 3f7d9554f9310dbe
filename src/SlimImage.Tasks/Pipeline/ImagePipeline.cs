using System.Globalization;
using System.Text;
using SlimImage.Closure;
using SlimImage.Diagnostics;
using SlimImage.Image;
using SlimImage.Layers;
using SlimImage.Output;
using SlimImage.Publish;
using SlimImage.Rootfs;
using SlimImage.Runtime;

namespace SlimImage.Pipeline;

/// <summary>What a finished run wrote.</summary>
public sealed record ImageResult(string ArchivePath, string Repository, IReadOnlyList<string> Tags, string ManifestDigest,
    long CompressedSize, long UncompressedSize, int LayerCount, RootfsPlan Plan);

/// <summary>
/// The whole pipeline, one stage after the other: publish output → ELF closure (with what the runtime dlopens) →
/// rootfs plan → layers → image → archive. Knows nothing of MSBuild; messages go to <c>report</c>, failures are
/// <see cref="SlimException"/>s.
/// </summary>
public static class ImagePipeline
{
    public static ImageResult Run(ImageRequest request, Action<SlimDiagnostic> report, CancellationToken ct)
    {
        if (!string.Equals(request.Base, "scratch", StringComparison.OrdinalIgnoreCase))
            throw new SlimException("SLIM1003", request.Base);
        var platform = Platform.FromRuntimeIdentifier(request.RuntimeIdentifier);

        var publish = PublishOutput.Select(request.PublishFiles, new PublishOptions(request.IncludeDebugSymbols, request.IncludeLttng));
        var entrypoint = Entrypoint(request, publish);
        foreach (var left in publish.LeftOut)
            report(SlimDiagnostic.Info("SLIM1103", left.File.RelativePath, Size(left.Size), left.Why));

        var closure = ResolveClosure(request, publish, platform, report);
        ct.ThrowIfCancellationRequested();
        var plan = RootfsPlanner.Plan(request, publish, closure);
        var layers = LayerSplit.Split(plan, request.AssemblyName);

        var scratch = Path.Combine(Path.GetDirectoryName(request.ArchivePath)!, ".slimimage-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            var layerOptions = new LayerOptions(request.Timestamp, scratch, request.Compression, request.CompressionLevel);
            var cache = request.IntermediateDirectory == null ? null : Path.Combine(request.IntermediateDirectory, "layers");
            var blobs = LayerSetWriter.Write(layers, layerOptions, cache, report, ct).Select(l => l.Blob).ToList();
            var config = ImageConfigFactory.Create(request, platform, entrypoint, layers.Select(l => l.CreatedBy).ToList());
            var image = ImageBuilder.Build(config, blobs);
            var written = ImageArchive.Write(request.ArchivePath, image, request.Repository, request.Tags, request.Timestamp, ct);
            report(SlimDiagnostic.Info("SLIM1101", Summary(request, written, plan)));
            return new ImageResult(written.Path, request.Repository, request.Tags, written.ManifestDigest.ToString(),
                written.CompressedSize, written.UncompressedSize, written.LayerCount, plan);
        }
        finally
        {
            try { if (Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true); }
            catch (IOException) { /* a leftover temp folder is harmless; the archive is what matters */ }
        }
    }

    private static IReadOnlyList<string> Entrypoint(ImageRequest request, PublishSelection publish)
    {
        if (request.Entrypoint.Count > 0)
            return request.Entrypoint;
        if (!publish.Kept.Any(f => f.RelativePath == request.AssemblyName))
            throw new SlimException("SLIM1005", request.PublishDirectory, request.AssemblyName);
        return [ImageRequest.AppDirectory + "/" + request.AssemblyName];
    }

    private static ClosureResult ResolveClosure(ImageRequest request, PublishSelection publish, Platform platform, Action<SlimDiagnostic> report)
    {
        var closureRequest = new ClosureRequest
        {
            Sysroot = request.Sysroot,
            PublishDir = request.PublishDirectory,
            Inputs = publish.Kept.Select(f => f.HostPath).ToList(),
            ExtraLibraryDirs = request.LibraryPaths,
            Target = platform.Elf,
        };
        var needs = RuntimeDependencies.Find(request, publish, new LibraryResolver(closureRequest, report));
        var closure = new LibraryResolver(closureRequest with { ExtraSonames = needs.Sonames }, report).Resolve();
        closure.ThrowIfIncomplete();
        RuntimeDependencies.Report(needs, closure, report);
        return closure;
    }

    private static string Summary(ImageRequest request, ArchiveResult written, RootfsPlan plan)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture,
            $"{written.Path} ({request.Repository}:{string.Join(",", request.Tags)}, {written.ManifestDigest}): " +
            $"{Size(written.CompressedSize)} compressed, {Size(written.UncompressedSize)} uncompressed, {written.LayerCount} layer(s).");
        foreach (var host in plan.HostFiles)
            text.Append(CultureInfo.InvariantCulture, $"\n  {host.ImagePath} ({Size(host.Size)}) from {host.HostPath}: {host.Why}");
        return text.ToString();
    }

    internal static string Size(long bytes) => bytes switch
    {
        >= 1 << 20 => (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture) + " MB",
        >= 1 << 10 => (bytes / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KB",
        _ => bytes.ToString(CultureInfo.InvariantCulture) + " B",
    };
}
