using SlimImage.FileSystem;
using SlimImage.Tar;
using SlimImage.Diagnostics;
using SlimImage.Layers.Compression;
using SlimImage.Oci;
using SlimImage.Entries;

namespace SlimImage.Layers;

/// <summary>
/// Writes one reproducible layer blob: the same entries (in any order, from files with any mtime/atime) and the same
/// <see cref="LayerOptions"/> give the same bytes. The tar is streamed through the hashes and the compressor into a
/// file; no layer is ever held in memory.
/// </summary>
public static class LayerWriter
{
    /// <summary>
    /// Writes <paramref name="entries"/> as one layer into <see cref="LayerOptions.TempDirectory"/>.
    /// Throws <see cref="SlimException"/> SLIM3001-SLIM3007 for unreadable or changing sources, conflicting or
    /// invalid entries, and an unwritable folder; on any failure no blob file is left behind.
    /// </summary>
    public static LayerBlob Write(IEnumerable<RootfsEntry> entries, LayerOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(options);
        var plan = TarPlan.Build(entries);
        using var pool = options.Compression.Format == CompressionFormat.None ? null : new CompressionPool(options.Threads);
        return WritePlanned(plan, options, pool, ct);
    }

    /// <summary>
    /// Writes entries already planned by <see cref="TarPlan.Build"/>, compressing on <paramref name="pool"/> (which
    /// several layers may share), into <see cref="LayerOptions.TempDirectory"/>.
    /// </summary>
    internal static LayerBlob WritePlanned(IReadOnlyList<RootfsEntry> plan, LayerOptions options, CompressionPool? pool, CancellationToken ct) =>
        WritePlanned(plan, options, pool, null, ct);

    /// <summary>As <see cref="WritePlanned(IReadOnlyList{RootfsEntry}, LayerOptions, CompressionPool?, CancellationToken)"/>,
    /// adding the checksums of every file's content to <paramref name="checksums"/> in the same pass (for the SBOM).</summary>
    internal static LayerBlob WritePlanned(IReadOnlyList<RootfsEntry> plan, LayerOptions options, CompressionPool? pool,
        List<FileChecksum>? checksums, CancellationToken ct)
    {
        var mtime = TarEntryWriter.ToTarTime(options.Timestamp);
        var folder = Path.GetFullPath(options.TempDirectory);
        var temp = Path.Combine(folder, TempPrefix + FileSystem.TempFiles.Owner() + TempSuffix);
        try
        {
            Digest digest, diffId;
            long size, uncompressedSize;
            Directory.CreateDirectory(folder);
            // FileShare.None is also the advisory lock that tells another build's sweep this file is being written.
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0))
            using (var compressed = new HashingStream(file, leaveOpen: true))
            {
                using var compressor = options.Compression.Format == CompressionFormat.None ? null
                    : new ParallelCompressionStream(compressed, ChunkCodec.For(options.Compression),
                        pool ?? throw new ArgumentNullException(nameof(pool)), ct);
                // The tar is hashed here, on this thread and in order; only compression fans out.
                using var uncompressed = new HashingStream((Stream?)compressor ?? compressed, leaveOpen: true);
                var tar = new TarEntryWriter(uncompressed, mtime);
                TarPlan.Write(tar, plan, ct, checksums);
                tar.Finish();
                compressor?.Finish();
                (diffId, uncompressedSize) = (uncompressed.Digest, uncompressed.Count);
                (digest, size) = (compressed.Digest, compressed.Count);
            }
            // Named after its digest so that a later step (or an incremental build) can find it by content.
            var blobPath = Path.Combine(folder, $"sha256-{digest.Hex}{options.Compression.FileExtension}");
            File.Move(temp, blobPath, overwrite: true);
            return new LayerBlob(digest, diffId, size, uncompressedSize, options.Compression.MediaType, blobPath);
        }
        catch (Exception e)
        {
            TempFiles.TryDelete(temp);
            if (e is IOException or UnauthorizedAccessException)
                throw new SlimException(e, "SLIM3007", folder, e.Message);
            throw;
        }
    }

    /// <summary>The start of a layer's temp file name, <c>.layer-{pid}-{random}.tmp</c> (see <see cref="FileSystem.TempFiles"/>).</summary>
    public const string TempPrefix = ".layer-";

    /// <summary>The end of a layer's temp file name.</summary>
    public const string TempSuffix = ".tmp";

}
