using SlimImage.Diagnostics;
using SlimImage.Entries;
using SlimImage.Oci;

namespace SlimImage.Base;

/// <summary>
/// Turns a <see cref="BaseSource"/> into a <see cref="LoadedBase"/>: scratch (nothing), busybox (entries the pipeline
/// writes as the bottom layer, with the image's compression and layer cache), an image archive or a pulled image
/// (their layers as they are).
/// </summary>
public static class BaseLoader
{
    /// <summary>Loads the base into <paramref name="scratch"/> (blob files), reporting what it is.</summary>
    public static LoadedBase Load(BaseSource source, BaseOptions options, Platform platform, string scratch, Action<SlimDiagnostic> report,
        CancellationToken ct)
    {
        switch (source)
        {
            case BaseSource.Busybox busybox:
                return LoadBusybox(busybox, options, platform, report);
            case BaseSource.Archive archive:
                using (var image = ImageArchiveReader.Read(archive.Path, platform))
                    return Load(image, scratch, report, ct, options.MaxLayerSize, options.FileChecksums);
            case BaseSource.Pull pull:
                using (var pulled = RegistryBase.Pull(pull.Reference, options, platform, report, ct))
                    return Load(pulled, scratch, report, ct, options.MaxLayerSize, options.FileChecksums);
            default:
                return LoadedBase.Scratch;
        }
    }

    /// <summary>Fetches a base read from any source (an archive, a registry) into <paramref name="scratch"/>.</summary>
    public static LoadedBase Load(BaseImage image, string scratch, Action<SlimDiagnostic> report, CancellationToken ct,
        long maxLayerSize = LayerLimit.Default, bool fileChecksums = false)
    {
        var (layers, files) = BaseLayers.Extract(image, scratch, ct, maxLayerSize, report, fileChecksums);
        report(SlimDiagnostic.Info("SLIM3505", image.Reference, layers.Count, ByteSize.Format(layers.Sum(l => l.Size)), files.Count));
        return new LoadedBase(image.Reference, layers, History(image), image.Config, files, [])
        {
            ConfigDigest = Digest.Of(image.ConfigBytes.Span),
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

    private static LoadedBase LoadBusybox(BaseSource.Busybox source, BaseOptions options, Platform platform, Action<SlimDiagnostic> report)
    {
        var busybox = Busybox.Find(source.BusyboxPath, options.Sysroot, Elf.ElfTarget.For(platform));
        var entries = busybox.Entries();
        var files = new BaseFileSystem();
        files.BeginLayer();
        foreach (var e in entries)
            files.Apply(e.Path, e.Kind, e.Mode, e.Uid, e.Gid, e.LinkTarget, size: e.Kind == EntryKind.File && e.SourcePath != null ? new FileInfo(e.SourcePath).Length : 0);
        if (busybox.IsDynamic)
            report(SlimDiagnostic.Info("SLIM1306", busybox.HostPath));
        var createdBy = $"SlimImage: busybox {busybox.Version ?? ""} from {busybox.HostPath}, {busybox.Applets.Count} applets in /bin".Replace("  ", " ");
        return new LoadedBase(source.ToString(), [], [HistoryEntry.Create(options.Timestamp, createdBy)], BaseConfig.Empty, files,
            busybox.IsDynamic ? [busybox.HostPath] : []) { OwnLayer = entries };
    }
}
