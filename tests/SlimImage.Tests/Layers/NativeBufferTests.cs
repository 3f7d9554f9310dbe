using SlimImage.Layers.Compression;
using Xunit;

namespace SlimImage.Tests.Layers;

/// <summary>The unmanaged chunk buffers: sized up to whole 64 KiB blocks, unusable once given back, reusable after.</summary>
public class NativeBufferTests
{
    [Fact]
    public void ABufferHoldsWhatIsWrittenAndCannotBeUsedOnceReturned()
    {
        var buffer = NativeBuffer.Rent(100_000);
        Assert.Equal(2 * 65536, buffer.Capacity);
        buffer.Span.Fill(0xAB);
        Assert.All(buffer.Span.ToArray(), b => Assert.Equal(0xAB, b));
        buffer.Dispose();
        buffer.Dispose(); // twice is harmless
        Assert.Throws<ObjectDisposedException>(() => buffer.Span.Length);
    }

    [Fact]
    public void ManyThreadsRentingAndReturningNeverShareABlock()
    {
        // Each thread stamps its block with its own value and checks it after a pause: a block handed to two owners
        // at once would show the other's stamp.
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, t =>
        {
            for (var i = 0; i < 200; i++)
            {
                using var buffer = NativeBuffer.Rent(1 << 20);
                buffer.Span.Fill((byte)t);
                Thread.SpinWait(200);
                Assert.True(buffer.Span.IndexOfAnyExcept((byte)t) < 0, "another owner wrote into the block");
            }
        });
    }

    [Fact]
    public void AGrowingChunkBufferKeepsWhatWasWritten()
    {
        using var stream = new PooledBufferStream(10);
        var data = Enumerable.Range(0, 300_000).Select(i => (byte)(i * 7)).ToArray();
        stream.Write(data.AsSpan(0, 1000));
        stream.Write(data.AsSpan(1000)); // past the first 64 KiB block: the content moves to a bigger one
        Assert.Equal(data, stream.Written.ToArray());
    }
}
