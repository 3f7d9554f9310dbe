using System.Buffers;
using System.Diagnostics;
using SlimImage.Diagnostics;

namespace SlimImage.Registry;

/// <summary>
/// The time budget of one pull or push (<see cref="RegistryOptions.TotalTimeout"/> plus its blobs at
/// <see cref="RegistryOptions.SlowestRate"/>): every request, retry wait and token request of the operation is
/// cancelled when it runs out, so no registry, however slow or hostile, holds a build longer.
/// </summary>
internal sealed class RegistryDeadline : IDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly RegistryOptions _options;
    private long _bytes;

    public RegistryDeadline(RegistryOptions options)
    {
        _options = options;
        _cts.CancelAfter(Limit);
    }

    public CancellationToken Token => _cts.Token;

    public bool Passed => _cts.IsCancellationRequested;

    public TimeSpan Limit => RegistryOptions.Cap(_options.TotalTimeout + _options.TransferTime(_bytes));

    /// <summary>Gives the operation the time to move <paramref name="bytes"/> more of blobs.</summary>
    public void AllowFor(long bytes)
    {
        if (bytes <= 0) return;
        _bytes = bytes > long.MaxValue - _bytes ? long.MaxValue : _bytes + bytes;
        if (!Passed) _cts.CancelAfter(RegistryOptions.Cap(Limit - _clock.Elapsed));
    }

    /// <summary>"1800 s plus 12.3 MB of blobs at 256.0 KB/s", for SLIM4019.</summary>
    public string Describe() =>
        $"{RegistryTransport.Seconds(_options.TotalTimeout)} plus {ByteSize.Format(_bytes)} of blobs at {ByteSize.Format(_options.SlowestRate)}/s";

    public void Dispose() => _cts.Dispose();
}

/// <summary>Reads answers of a registry without holding more than a set number of bytes.</summary>
internal static class BoundedBody
{
    /// <summary>
    /// The whole body, or the exception <paramref name="tooLarge"/> makes of its size ("5.0 MB", "more than 4.0 MB")
    /// as soon as it announces or passes <paramref name="limit"/> bytes: at most that much is ever buffered.
    /// </summary>
    public static async Task<byte[]> ReadAsync(HttpContent content, long limit, Func<string, Exception> tooLarge, CancellationToken ct)
    {
        if (content.Headers.ContentLength is { } announced && announced > limit) throw tooLarge(ByteSize.Format(announced));
        await using var body = await content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        await CopyAsync(body, buffer, limit, () => tooLarge("more than " + ByteSize.Format(limit)), ct).ConfigureAwait(false);
        return buffer.ToArray();
    }

    /// <summary>Copies <paramref name="body"/>, throwing what <paramref name="tooLarge"/> makes once it passes <paramref name="limit"/> bytes.</summary>
    public static async Task<long> CopyAsync(Stream body, Stream to, long limit, Func<Exception> tooLarge, CancellationToken ct)
    {
        var chunk = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            long total = 0;
            int n;
            while ((n = await body.ReadAsync(chunk.AsMemory(0, 1 << 16), ct).ConfigureAwait(false)) > 0)
            {
                if (n > limit - total) throw tooLarge();
                await to.WriteAsync(chunk.AsMemory(0, n), ct).ConfigureAwait(false);
                total += n;
            }
            return total;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }
}
