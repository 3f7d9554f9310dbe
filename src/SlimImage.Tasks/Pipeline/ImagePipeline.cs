using System.Globalization;
using System.Text;
using SlimImage.Closure;
using SlimImage.Diagnostics;
using SlimImage.Elf;
using SlimImage.Image;
using SlimImage.Layers;
using SlimImage.Output;
using SlimImage.Publish;
using SlimImage.Rootfs;

namespace SlimImage.Pipeline;

/// <summary>What a finished run wrote.</summary>
public sealed record ImageResult(string ArchivePath, string Repository, IReadOnlyList<string> Tags, string ManifestDigest,
    long CompressedSize, long UncompressedSize, int LayerCount, RootfsPlan Plan);

/// <summary>
/// The whole pipeline, one stage after the other: publish output → ELF closure → rootfs plan → layer → image →
/// archive. Knows nothing of MSBuild; messages go to <c>report</c>, failures are <see cref="SlimException"/>s.
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

        var scratch = Path.Combine(Path.GetDirectoryName(request.ArchivePath)!, ".slimimage-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            LayerBlob layer;
            try
            {
                layer = LayerWriter.Write(plan.Entries, new LayerOptions(request.Timestamp, scratch), ct);
            }
            catch (UnauthorizedAccessException e)
            {
                throw new SlimException(e, "SLIM1016", request.ArchivePath, e.Message);
            }
            var image = ImageBuilder.Build(Config(request, platform, entrypoint), [layer]);
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
        var resolver = new LibraryResolver(closureRequest, report);
        var extra = new List<ExtraSoname>();
        if (!request.InvariantGlobalization)
        {
            // System.Globalization.Native probes libicuuc.so.N / libicui18n.so.N by dlopen, highest N first
            // (src/native/libs/System.Globalization.Native/pal_icushim.c); no DT_NEEDED names them.
            var icuuc = resolver.FindHighestVersionedSoname("libicuuc.so.")
                ?? throw new SlimException("SLIM2050", request.Sysroot);
            var version = icuuc["libicuuc.so.".Length..];
            extra.Add(new ExtraSoname(icuuc, "the ICU probe of System.Globalization.Native"));
            extra.Add(new ExtraSoname("libicui18n.so." + version, "the ICU probe of System.Globalization.Native"));
        }
        resolver = new LibraryResolver(closureRequest with { ExtraSonames = extra }, report);
        var closure = resolver.Resolve();
        closure.ThrowIfIncomplete();
        if (extra.Count > 0)
        {
            var icu = closure.Libraries.Where(l => l.Soname.StartsWith("libicu", StringComparison.Ordinal))
                .Sum(l => new FileInfo(l.Resolution?.HostPath ?? l.HostPath).Length);
            report(SlimDiagnostic.Info("SLIM1100", extra[0].Soname["libicuuc.so.".Length..], Size(icu)));
        }
        return closure;
    }

    private static ImageConfig Config(ImageRequest request, Platform platform, IReadOnlyList<string> entrypoint)
    {
        var env = new List<KeyValuePair<string, string>>
        {
            new("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
            new("APP_UID", EtcFiles.AppUid.ToString(CultureInfo.InvariantCulture)),
            new("DOTNET_RUNNING_IN_CONTAINER", "true"),
        };
        if (request.InvariantGlobalization)
            env.Add(new("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "true"));
        foreach (var (name, value) in request.Environment)
        {
            var at = env.FindIndex(e => e.Key == name);
            if (at >= 0) env[at] = new(name, value); else env.Add(new(name, value));
        }
        var labels = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["org.opencontainers.image.title"] = request.AssemblyName,
            ["org.opencontainers.image.created"] = request.Timestamp.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        };
        if (request.AppVersion != null) labels["org.opencontainers.image.version"] = request.AppVersion;
        if (request.SourceRepositoryUrl != null) labels["org.opencontainers.image.source"] = request.SourceRepositoryUrl;
        if (request.SourceRevision != null) labels["org.opencontainers.image.revision"] = request.SourceRevision;
        foreach (var (name, value) in request.Labels)
            labels[name] = value;
        return new ImageConfig
        {
            Architecture = platform.Architecture,
            Variant = platform.Variant,
            User = request.User,
            WorkingDir = request.WorkingDirectory,
            Entrypoint = entrypoint,
            Env = env.Select(e => e.Key + "=" + e.Value).ToList(),
            Labels = labels,
            ExposedPorts = request.Ports.Select(p => p.ToString()).ToList(),
            Created = request.Timestamp,
            History = ["SlimImage: " + request.AssemblyName + " on scratch"],
        };
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

/// <summary>The image platform of a runtime identifier, and the ELF machine its libraries must have.</summary>
public sealed record Platform(string Architecture, string? Variant, ElfTarget Elf)
{
    public static Platform FromRuntimeIdentifier(string rid)
    {
        var arch = rid[(rid.LastIndexOf('-') + 1)..].ToLowerInvariant();
        return arch switch
        {
            "x64" => new("amd64", null, new ElfTarget(ElfTarget.EM_X86_64, true)),
            "arm64" => new("arm64", "v8", new ElfTarget(ElfTarget.EM_AARCH64, true)),
            "arm" => new("arm", "v7", new ElfTarget(ElfTarget.EM_ARM, false)),
            "x86" => new("386", null, new ElfTarget(ElfTarget.EM_386, false)),
            _ => throw new SlimException("SLIM1001", rid),
        };
    }
}
