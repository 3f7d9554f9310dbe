using System.Diagnostics;
using System.Globalization;
using System.Runtime.ExceptionServices;
using SlimImage.Tar;
using SlimImage.Diagnostics;
using SlimImage.Layers.Compression;
using SlimImage.Oci;

namespace SlimImage.Layers;

/// <summary>How one layer of the image was obtained.</summary>
/// <param name="Blob">The layer.</param>
/// <param name="Reused">True when the blob came from the layer cache and nothing was compressed.</param>
public sealed record LayerWriteResult(LayerBlob Blob, bool Reused)
{
    /// <summary>The checksums of every file of the layer, by path, when <see cref="LayerOptions.FileChecksums"/> asked for them.</summary>
    public IReadOnlyList<FileChecksum> Files { get; init; } = [];
}

/// <summary>
/// Writes all layers of an image: each from the layer cache when its key matches, the others in parallel, all
/// sharing one <see cref="CompressionPool"/> so that the cores are busy and memory stays bounded whatever the number
/// of layers.
/// </summary>
public static class LayerSetWriter
{
    /// <summary>
    /// Writes <paramref name="layers"/> (bottom first) and returns them in the same order. With a
    /// <paramref name="cacheDirectory"/>, blobs are written there and stay for the next build (only the current image's
    /// are kept); without one, into <see cref="LayerOptions.TempDirectory"/>. Reports SLIM3600 with what was done.
    /// </summary>
    public static IReadOnlyList<LayerWriteResult> Write(IReadOnlyList<LayerContent> layers, LayerOptions options,
        string? cacheDirectory, Action<SlimDiagnostic> report, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(options);
        var clock = Stopwatch.StartNew();
        var cache = cacheDirectory == null ? null : new LayerCache(cacheDirectory);
        if (cache != null) options = options with { TempDirectory = cache.Directory };
        var plans = layers.Select(l => TarPlan.Build(l.Entries)).ToArray();
        var keys = cache == null ? null : plans.Select(p => LayerCache.Key(p, options)).ToArray();
        var results = new LayerWriteResult?[layers.Count];
        for (var i = 0; i < layers.Count && cache != null; i++)
        {
            if (cache.TryGet(keys![i], options, out var rejected, out var files) is { } hit)
                results[i] = new LayerWriteResult(hit, Reused: true) { Files = files };
            else if (rejected != null)
                report(SlimDiagnostic.Info("SLIM3602", cache.EntryPath(keys[i]), rejected));
        }

        var toWrite = Enumerable.Range(0, layers.Count).Where(i => results[i] == null).ToList();
        using (var pool = options.Compression.Format == CompressionFormat.None || toWrite.Count == 0 ? null : new CompressionPool(options.Threads))
        {
            void WriteOne(int i, CancellationToken token)
            {
                var files = options.FileChecksums ? new List<FileChecksum>() : null;
                var blob = LayerWriter.WritePlanned(plans[i], options, pool, files, token);
                cache?.Put(keys![i], blob, files ?? []);
                results[i] = new LayerWriteResult(blob, Reused: false) { Files = files ?? [] };
            }

            if (toWrite.Count == 1)
                WriteOne(toWrite[0], ct);
            else if (toWrite.Count > 1)
                WriteInParallel(toWrite, WriteOne, pool?.Threads ?? Environment.ProcessorCount, ct);
        }

        var written = results.Select(r => r!).ToList();
        cache?.KeepOnly(keys!, written.Select(r => r.Blob).ToList());
        report(SlimDiagnostic.Info("SLIM3600", written.Count(r => !r.Reused), written.Count(r => r.Reused),
            options.Compression.ToString(), clock.Elapsed.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture),
            cache?.Directory ?? "(no cache)"));
        return written;
    }

    // Layers are independent: one writer thread each (reading files, building the tar, hashing), at most one per
    // compressing thread; the first failure cancels the others and is rethrown as it was.
    private static void WriteInParallel(List<int> layers, Action<int, CancellationToken> write, int parallelism, CancellationToken ct)
    {
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(ct);
        try
        {
            Parallel.ForEach(layers, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism) }, i =>
            {
                try { write(i, failed.Token); }
                catch
                {
                    failed.Cancel();
                    throw;
                }
            });
        }
        catch (AggregateException e)
        {
            var first = e.InnerExceptions.FirstOrDefault(x => x is not OperationCanceledException) ?? e.InnerExceptions[0];
            ExceptionDispatchInfo.Capture(first).Throw();
        }
    }
}
