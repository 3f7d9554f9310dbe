using SlimImage.Diagnostics;
using SlimImage.Layers;
using SlimImage.Rootfs;
using Xunit;
using SlimImage.Tests.Support;
using SlimImage.Oci;
using SlimImage.Entries;

namespace SlimImage.Tests.Layers;

/// <summary>
/// Several layers written together, in parallel, and the layer cache: an unchanged layer is reused as it is, a
/// changed one alone is written again, and the cache keeps only the current image's blobs.
/// </summary>
public class LayerSetWriterTests
{
    private static readonly DateTimeOffset Epoch = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    /// <summary>A "runtime" layer of a few MB (several chunks) and a small "app" layer, from files on disk.</summary>
    private static List<LayerContent> Layers(ScratchDir dir)
    {
        var runtime = new List<RootfsEntry>();
        var random = new Random(11);
        for (var i = 0; i < 4; i++)
        {
            var bytes = new byte[900_000];
            random.NextBytes(bytes.AsSpan(0, 300_000));
            var path = Path.Combine(dir.Path, "publish", $"lib{i}.so");
            if (!File.Exists(path)) dir.File($"publish/lib{i}.so", bytes);
            runtime.Add(RootfsEntry.HostFile($"/app/lib{i}.so", path, 0b111_101_101, EntryOrigin.Runtime));
        }
        var app = Path.Combine(dir.Path, "publish", "app.dll");
        if (!File.Exists(app)) dir.File("publish/app.dll", "version 1");
        return
        [
            new LayerContent("runtime", runtime),
            new LayerContent("app", [RootfsEntry.HostFile("/app/app.dll", app, 0b110_100_100, EntryOrigin.App),
                RootfsEntry.Generated("/etc/passwd", "root:x:0:0::/root:/bin/false\n"u8.ToArray())]),
        ];
    }

    private static IReadOnlyList<LayerWriteResult> Write(ScratchDir dir, List<LayerContent> layers, LayerOptions? options = null,
        List<SlimDiagnostic>? messages = null) =>
        LayerSetWriter.Write(layers, options ?? new LayerOptions(Epoch, dir.Combine("scratch"), Threads: 2), dir.Combine("cache"),
            d => messages?.Add(d), CancellationToken.None);

    [Fact]
    public void UnchangedLayersAreReusedAndOnlyTheChangedOneIsWrittenAgain()
    {
        using var dir = new ScratchDir();
        var layers = Layers(dir);
        var messages = new List<SlimDiagnostic>();
        var first = Write(dir, layers, messages: messages);
        Assert.All(first, l => Assert.False(l.Reused));
        Assert.Contains(messages, m => m.Code == "SLIM3600" && m.Message.StartsWith("Layers: 2 written and 0 reused"));
        var runtimeWritten = File.GetLastWriteTimeUtc(first[0].Blob.BlobPath);

        // Nothing changed: both come from the cache, the very same files.
        messages.Clear();
        var second = Write(dir, Layers(dir), messages: messages);
        Assert.All(second, l => Assert.True(l.Reused));
        Assert.Equal(first.Select(l => l.Blob), second.Select(l => l.Blob));
        Assert.Contains(messages, m => m.Code == "SLIM3600" && m.Message.StartsWith("Layers: 0 written and 2 reused"));

        // A code-only change: the app layer is written again, the runtime layer is not touched.
        File.WriteAllText(dir.Combine("publish", "app.dll"), "version 2");
        var third = Write(dir, Layers(dir));
        Assert.True(third[0].Reused);
        Assert.False(third[1].Reused);
        Assert.Equal(first[0].Blob, third[0].Blob);
        Assert.Equal(runtimeWritten, File.GetLastWriteTimeUtc(third[0].Blob.BlobPath));
        Assert.NotEqual(first[1].Blob.DiffId, third[1].Blob.DiffId);
        Assert.Equal("version 2", System.Text.Encoding.UTF8.GetString(
            LayerReader.Entries(third[1].Blob).Single(e => e.Name == "app/app.dll").DataStream!.ReadAllBytes()));

        // The cache holds the current image's blobs and entries only: the old app layer is gone.
        var cached = Directory.GetFiles(dir.Combine("cache")).Select(Path.GetFileName).ToList();
        Assert.Equal(4, cached.Count);
        Assert.Contains(Path.GetFileName(third[0].Blob.BlobPath), cached);
        Assert.Contains(Path.GetFileName(third[1].Blob.BlobPath), cached);
        Assert.DoesNotContain(Path.GetFileName(first[1].Blob.BlobPath), cached);
    }

    [Fact]
    public void ParallelLayersAreTheSameBytesAsLayersWrittenOneByOne()
    {
        using var dir = new ScratchDir();
        var layers = Layers(dir);
        var together = Write(dir, layers);
        for (var i = 0; i < layers.Count; i++)
        {
            var alone = LayerWriter.Write(layers[i].Entries, new LayerOptions(Epoch, dir.Combine("alone" + i), Threads: 1));
            Assert.Equal(File.ReadAllBytes(alone.BlobPath), File.ReadAllBytes(together[i].Blob.BlobPath));
        }
    }

    [Fact]
    public async Task ManyLayersOnOneThreadShareTheBudgetWithoutDeadlock()
    {
        using var dir = new ScratchDir();
        var big = Layers(dir)[0].Entries;
        // Six layers of several chunks each, one compressing thread: three slots for six writers.
        var layers = Enumerable.Range(0, 6).Select(i => new LayerContent("l" + i,
            big.Select(e => e with { Path = $"/l{i}{e.Path}" }).ToList())).ToList();
        var run = Task.Run(() => LayerSetWriter.Write(layers, new LayerOptions(Epoch, dir.Combine("s"), Threads: 1), null, _ => { }, CancellationToken.None));
        Assert.True(await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(120))) == run, "writing six layers on one thread hung");
        Assert.Equal(6, (await run).Select(l => l.Blob.DiffId).Distinct().Count());
    }

    [Fact]
    public void ADamagedCachedBlobOrOtherSettingsAreNotReused()
    {
        using var dir = new ScratchDir();
        var first = Write(dir, Layers(dir));
        // Same size, other bytes: the digest check catches it.
        var path = first[1].Blob.BlobPath;
        var bytes = File.ReadAllBytes(path);
        bytes[^1] ^= 0xFF;
        File.WriteAllBytes(path, bytes);
        var second = Write(dir, Layers(dir));
        Assert.True(second[0].Reused);
        Assert.False(second[1].Reused);
        Assert.Equal(first[1].Blob.Digest, second[1].Blob.Digest);

        var other = Write(dir, Layers(dir), new LayerOptions(Epoch, dir.Combine("scratch"), LayerCompression.Of(CompressionFormat.Gzip, 1)));
        Assert.All(other, l => Assert.False(l.Reused));
        var zstd = Write(dir, Layers(dir), new LayerOptions(Epoch, dir.Combine("scratch"), LayerCompression.Zstd));
        Assert.All(zstd, l => Assert.False(l.Reused));
        Assert.All(zstd, l => Assert.Equal("application/vnd.oci.image.layer.v1.tar+zstd", l.Blob.MediaType));
        Assert.Equal(first.Select(l => l.Blob.DiffId), zstd.Select(l => l.Blob.DiffId));
    }
}

internal static class StreamExtensions
{
    public static byte[] ReadAllBytes(this Stream stream)
    {
        using var ms = new MemoryStream();
        stream.CopyTo(ms);
        return ms.ToArray();
    }
}
