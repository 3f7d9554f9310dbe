using SlimImage.Diagnostics;
using SlimImage.Image;
using SlimImage.Layers;
using SlimImage.Pipeline;

namespace SlimImage.Base;

/// <summary>
/// Turns <c>SlimImageBase</c> into a <see cref="LoadedBase"/>: <c>scratch</c> (nothing), <c>busybox</c> (a layer
/// SlimImage writes from the build machine's busybox), or the path of an image archive (its layers as they are).
/// </summary>
public static class BaseLoader
{
    public const string Scratch = "scratch";
    public const string BusyboxName = "busybox";

    public static bool IsScratch(string value) => string.Equals(value, Scratch, StringComparison.OrdinalIgnoreCase);

    public static bool IsBusybox(string value) => string.Equals(value, BusyboxName, StringComparison.OrdinalIgnoreCase);

    /// <summary>Loads the base into <paramref name="scratch"/> (blob files), reporting what it is.</summary>
    public static LoadedBase Load(ImageRequest request, Platform platform, string scratch, Action<SlimDiagnostic> report, CancellationToken ct)
    {
        if (IsScratch(request.Base))
            return LoadedBase.Scratch;
        if (IsBusybox(request.Base))
            return LoadBusybox(request, platform, scratch, report, ct);
        var path = Path.GetFullPath(request.Base);
        if (File.Exists(path))
        {
            using var archive = ImageArchiveReader.Read(path, platform);
            return Load(archive, scratch, report, ct, request.BaseLayerMaxSize);
        }
        if (RegistryBase.LooksLikeFile(request.Base) || Registry.ImageReference.TryParse(request.Base) is not { } reference)
            throw new SlimException("SLIM1003", request.Base);
        using var pulled = RegistryBase.Pull(reference, request, platform, report, ct);
        return Load(pulled, scratch, report, ct, request.BaseLayerMaxSize);
    }

    /// <summary>Fetches a base read from any source (an archive, a registry) into <paramref name="scratch"/>.</summary>
    public static LoadedBase Load(BaseImage image, string scratch, Action<SlimDiagnostic> report, CancellationToken ct,
        long maxLayerSize = LayerLimit.Default)
    {
        var (layers, files) = BaseLayers.Extract(image, scratch, ct, maxLayerSize, report);
        report(SlimDiagnostic.Info("SLIM3505", image.Reference, layers.Count, ByteSize.Format(layers.Sum(l => l.Size)), files.Count));
        return new LoadedBase(image.Reference, layers, History(image), image.Config, files, [])
        {
            ManifestDigest = image.ManifestDigest,
            ImageName = image.ImageName,
        };
    }

    /// <summary>
    /// The base's history, or one entry per layer when it has none that fits: image-spec config.md wants the
    /// entries without empty_layer to be as many as the layers.
    /// </summary>
    private static IReadOnlyList<HistoryEntry> History(BaseImage image)
    {
        var history = image.Config.History;
        if (history.Count(h => !h.EmptyLayer) == image.Layers.Count)
            return history;
        return image.Layers.Select((l, i) => HistoryEntry.Create(DateTimeOffset.UnixEpoch,
            $"base layer {i + 1} of {Path.GetFileName(image.Reference)} ({l.Descriptor.Digest})")).ToList();
    }

    private static LoadedBase LoadBusybox(ImageRequest request, Platform platform, string scratch, Action<SlimDiagnostic> report, CancellationToken ct)
    {
        var busybox = Busybox.Find(request.BusyboxPath, request.Sysroot, platform.Elf);
        var entries = busybox.Entries();
        var blob = LayerWriter.Write(entries, new LayerOptions(request.Timestamp, scratch), ct);
        var files = new BaseFileSystem();
        foreach (var e in entries)
            files.Apply(e.Path, e.Kind, e.Mode, e.Uid, e.Gid, e.LinkTarget);
        if (busybox.IsDynamic)
            report(SlimDiagnostic.Info("SLIM1306", busybox.HostPath));
        var createdBy = $"SlimImage: busybox {busybox.Version ?? ""} from {busybox.HostPath}, {busybox.Applets.Count} applets in /bin".Replace("  ", " ");
        return new LoadedBase(BusyboxName, [blob], [HistoryEntry.Create(request.Timestamp, createdBy)], BaseConfig.Empty, files,
            busybox.IsDynamic ? [busybox.HostPath] : []);
    }
}
