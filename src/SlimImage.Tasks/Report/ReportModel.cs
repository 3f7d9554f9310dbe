using SlimImage.Rootfs;
using SlimImage.Oci;
using SlimImage.Entries;

namespace SlimImage.Report;

/// <summary>What kind of origin a group of files is; it decides the colour in the treemap.</summary>
public enum OriginKind { App, Package, Runtime, OsPackage, Data, HostFile, Generated, Base, Overhead }

/// <summary>One file of a layer: its path in the image, bytes, and why it is there (for host files).</summary>
public sealed record ReportFile(string Path, long Size, string? Why = null);

/// <summary>The files of one origin within one layer, largest first.</summary>
public sealed record ReportOrigin(string Name, OriginKind Kind, IReadOnlyList<ReportFile> Files)
{
    public long Size { get; } = Files.Sum(f => f.Size);
}

/// <summary>One layer: its blob and tar sizes and digests, and its files by origin (largest first).</summary>
public sealed record ReportLayer(int Number, string What, string Digest, string DiffId, long Size, long UncompressedSize,
    IReadOnlyList<ReportOrigin> Origins)
{
    /// <summary>Bytes of file content; the rest of the tar is headers, folders, links and (in a base) files later replaced.</summary>
    public long FileBytes { get; } = Origins.Sum(o => o.Size);

    public long Overhead => Math.Max(0, UncompressedSize - FileBytes);
}

/// <summary>A host file or data set taken from the build machine, with its Debian package when it has one.</summary>
public sealed record ReportHostFile(string ImagePath, string HostPath, long Size, string Why, string? Package);

/// <summary>One image's report: totals, digests, layers, host files and what was left out.</summary>
public sealed record ReportModel(string Platform, string ManifestDigest, string ConfigDigest, long Size, long UncompressedSize,
    string BaseName, IReadOnlyList<ReportLayer> Layers, IReadOnlyList<ReportHostFile> HostFiles, IReadOnlyList<ReportFile> LeftOut)
{
    /// <summary>Every file with its layer and origin, largest first (ties by path), for "the largest files".</summary>
    public IEnumerable<(ReportFile File, ReportLayer Layer, ReportOrigin Origin)> Files() =>
        Layers.SelectMany(l => l.Origins.SelectMany(o => o.Files.Select(f => (f, l, o))))
            .OrderByDescending(x => x.f.Size).ThenBy(x => x.f.Path, StringComparer.Ordinal).ThenBy(x => x.l.Number);

    /// <summary>
    /// The report of one image: the base's layers (one origin, "base image"), then SlimImage's, each file with the
    /// origin it came from. Sizes of host files are read once here (stat); generated files have theirs.
    /// </summary>
    public static ReportModel Of(ReportImage image)
    {
        var blobs = image.Image.Layers;
        var baseCount = blobs.Count - image.Layers.Count;
        var layers = new List<ReportLayer>();
        for (var i = 0; i < blobs.Count; i++)
        {
            var blob = blobs[i];
            var (what, origins) = i < baseCount
                ? ($"base image {image.BaseName}, layer {i + 1}", BaseOrigins(image, i))
                : (image.Layers[i - baseCount].CreatedBy, Origins(image.Layers[i - baseCount].Entries, image.Packages));
            layers.Add(new ReportLayer(i + 1, what, blob.Digest.ToString(), blob.DiffId.ToString(), blob.Size, blob.UncompressedSize, origins));
        }
        var hostFiles = image.HostFiles
            .Select(h => new ReportHostFile(h.ImagePath, h.HostPath, h.Size, h.Why, image.Packages.GetValueOrDefault(h.ImagePath)))
            .OrderByDescending(h => h.Size).ThenBy(h => h.ImagePath, StringComparer.Ordinal).ToList();
        var leftOut = image.LeftOut.Select(l => new ReportFile("/app/" + l.File.RelativePath, l.Size, l.Why))
            .OrderByDescending(f => f.Size).ThenBy(f => f.Path, StringComparer.Ordinal).ToList();
        return new ReportModel(image.Platform, image.Image.Manifest.Digest.ToString(), image.Image.Config.Digest.ToString(),
            image.Image.CompressedSize, image.Image.UncompressedSize, image.BaseName, layers, hostFiles, leftOut);
    }

    private static List<ReportOrigin> BaseOrigins(ReportImage image, int layer)
    {
        var files = image.BaseFiles.Where(e => e.Layer == layer && e.Kind == EntryKind.File)
            .Select(e => new ReportFile(e.Path, e.Size)).ToList();
        return files.Count == 0 ? [] : [new ReportOrigin("base image " + image.BaseName, OriginKind.Base, Sorted(files))];
    }

    private static List<ReportOrigin> Origins(IReadOnlyList<RootfsEntry> entries, IReadOnlyDictionary<string, string> packages) =>
        entries.Where(e => e.Kind == EntryKind.File)
            .GroupBy(e => OriginNames.Of(e, packages))
            .Select(g => new ReportOrigin(g.Key.Name, g.Key.Kind, Sorted(g.Select(e => new ReportFile(e.Path, SizeOf(e), e.Reason)))))
            .OrderByDescending(o => o.Size).ThenBy(o => o.Name, StringComparer.Ordinal).ToList();

    private static List<ReportFile> Sorted(IEnumerable<ReportFile> files) =>
        files.OrderByDescending(f => f.Size).ThenBy(f => f.Path, StringComparer.Ordinal).ToList();

    private static long SizeOf(RootfsEntry e)
    {
        if (e.Content != null) return e.Content.Length;
        try { return e.SourcePath == null ? 0 : new FileInfo(e.SourcePath).Length; }
        catch (Exception x) when (x is IOException or UnauthorizedAccessException) { return 0; }
    }
}
