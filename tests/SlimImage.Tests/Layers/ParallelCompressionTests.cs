using System.IO.Compression;
using System.Security.Cryptography;
using SlimImage.Layers;
using SlimImage.Layers.Compression;
using SlimImage.Tests.Support;
using Xunit;
using SlimImage.Oci;

namespace SlimImage.Tests.Layers;

/// <summary>
/// The chunked compressor: what it writes is one valid gzip (or zstd) stream for every reader, including the
/// system's own tools, and the same bytes whatever the number of threads, the write sizes and the order in which
/// chunks happen to finish.
/// </summary>
public class ParallelCompressionTests
{
    /// <summary>About 5.3 MiB of tar-like data: compressible text runs and random runs, a partial last chunk.</summary>
    private static byte[] Data()
    {
        var random = new Random(7);
        var data = new byte[5 * 1024 * 1024 + 321_123];
        for (var i = 0; i < data.Length; i += 4096)
        {
            var block = data.AsSpan(i, Math.Min(4096, data.Length - i));
            if (random.Next(3) == 0) random.NextBytes(block);
            else for (var j = 0; j < block.Length; j++) block[j] = (byte)"the quick brown fox "[(i + j) % 20];
        }
        return data;
    }

    /// <summary>Delays each chunk by a random time, so chunks finish out of order.</summary>
    private sealed class JitteryCodec(ChunkCodec inner, int seed) : ChunkCodec
    {
        private readonly ThreadLocal<Random> _random = new(() => new Random(seed ^ Environment.CurrentManagedThreadId));
        public override int ChunkSize => inner.ChunkSize;
        public override int Bound(int length) => inner.Bound(length);
        public override void Compress(ReadOnlySpan<byte> input, PooledBufferStream output)
        {
            Thread.Sleep(_random.Value!.Next(0, 25));
            inner.Compress(input, output);
        }
    }

    private static byte[] Compress(ChunkCodec codec, byte[] data, int threads, int seed)
    {
        using var pool = new CompressionPool(threads);
        var output = new MemoryStream();
        using (var stream = new ParallelCompressionStream(output, codec, pool, CancellationToken.None))
        {
            // Writes of random sizes: the chunking, not the caller's buffering, decides the units.
            var random = new Random(seed);
            for (var offset = 0; offset < data.Length;)
            {
                var n = Math.Min(data.Length - offset, random.Next(1, 300_000));
                stream.Write(data, offset, n);
                offset += n;
            }
            stream.Finish();
        }
        return output.ToArray();
    }

    private static string Sha(byte[] data) => Convert.ToHexString(SHA256.HashData(data)).ToLowerInvariant();

    /// <summary>The system's gzip/zstd test the file and decompress it to the expected bytes.</summary>
    private static void SystemToolReads(string tool, byte[] compressed, byte[] expected)
    {
        Repo.RequireTool(tool);
        using var dir = new ScratchDir();
        var path = dir.File("blob", compressed);
        Repo.Run(tool, ["-t", path], timeoutSeconds: 60).EnsureSuccess();
        var sum = Repo.Run("sh", ["-c", $"{tool} -dc '{path}' | sha256sum"], timeoutSeconds: 60).EnsureSuccess();
        Assert.StartsWith(Sha(expected), sum.Output.Trim());
    }

    [Theory]
    [InlineData(CompressionFormat.Gzip, 6)]
    [InlineData(CompressionFormat.Gzip, 1)]
    [InlineData(CompressionFormat.Zstd, 3)]
    public void SameBytesWhateverTheThreadsWriteSizesAndTiming(CompressionFormat format, int level)
    {
        var data = Data();
        var reference = Compress(ChunkCodec.For(LayerCompression.Of(format, level)), data, threads: 1, seed: 1);
        Assert.Equal(reference, Compress(ChunkCodec.For(LayerCompression.Of(format, level)), data, threads: 4, seed: 2));
        Assert.Equal(reference, Compress(new JitteryCodec(ChunkCodec.For(LayerCompression.Of(format, level)), 3), data, threads: 3, seed: 3));
        Assert.Equal(reference, Compress(new JitteryCodec(ChunkCodec.For(LayerCompression.Of(format, level)), 4), data, threads: 2, seed: 4));
    }

    [Fact]
    public void GzipOfSeveralMembersIsReadByGZipStreamAndBySystemGzip()
    {
        var data = Data();
        var gzip = Compress(ChunkCodec.For(LayerCompression.Gzip), data, threads: 2, seed: 5);
        Assert.True(gzip.Length < data.Length / 2, "the data was not compressed");
        // Six members of 1 MiB: each starts with the fixed header (no name, MTIME 0, OS 255).
        Assert.Equal(6, CountHeaders(gzip, [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF]));
        Assert.Equal(data, LayerStreams.Decompress(gzip, LayerStreams.Gzip));
        SystemToolReads("gzip", gzip, data);
    }

    [Fact]
    public void ZstdOfSeveralFramesIsReadByZstdSharpAndBySystemZstd()
    {
        var data = Data();
        var zstd = Compress(ChunkCodec.For(LayerCompression.Zstd), data, threads: 2, seed: 6);
        Assert.True(zstd.Length < data.Length / 2, "the data was not compressed");
        Assert.Equal(2, CountHeaders(zstd, [0x28, 0xB5, 0x2F, 0xFD])); // RFC 8878 frame magic, one per 4 MiB
        Assert.Equal(data, LayerStreams.Decompress(zstd, LayerStreams.Zstd));
        SystemToolReads("zstd", zstd, data);
    }

    [Theory]
    [InlineData(CompressionFormat.Gzip)]
    [InlineData(CompressionFormat.Zstd)]
    public void EmptyInputIsStillAValidStream(CompressionFormat format)
    {
        var compressed = Compress(ChunkCodec.For(LayerCompression.Of(format)), [], threads: 1, seed: 0);
        Assert.NotEmpty(compressed);
        Assert.Empty(LayerStreams.Decompress(compressed, format == CompressionFormat.Gzip ? LayerStreams.Gzip : LayerStreams.Zstd));
    }

    private sealed class FailingCodec : ChunkCodec
    {
        public override int ChunkSize => 1 << 16;
        public override int Bound(int length) => length + 64;
        public override void Compress(ReadOnlySpan<byte> input, PooledBufferStream output) => throw new IOException("disk on fire");
    }

    [Fact]
    public async Task AFailingChunkFailsTheWriteAndNothingHangs()
    {
        var task = Task.Run(() => Compress(new FailingCodec(), Data(), threads: 2, seed: 7));
        Assert.True(await Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(60))) == task, "the compressor hung after a failure");
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => task);
        Assert.Contains("disk on fire", e.InnerException!.Message);
    }

    [Fact]
    public void LevelsOfGzipAreDistinctWhereTheRuntimeHasThem()
    {
        // MSBuild of SDK 9+ and this test host run on .NET 9+: every zlib level is its own.
        Assert.True(DeflateLevels.ExactLevels);
        var data = Data();
        var sizes = new[] { 1, 4, 6, 9 }.Select(l => Compress(ChunkCodec.For(LayerCompression.Of(CompressionFormat.Gzip, l)), data, 2, 0).Length).ToList();
        Assert.Equal(sizes.Count, sizes.Distinct().Count());
    }

    private static int CountHeaders(byte[] data, byte[] header)
    {
        var count = 0;
        for (var i = data.AsSpan().IndexOf(header); i >= 0;)
        {
            count++;
            var next = data.AsSpan(i + 1).IndexOf(header);
            i = next < 0 ? -1 : i + 1 + next;
        }
        return count;
    }
}
