using System.Net;

namespace SlimImage.Registry;

/// <summary>
/// A slice of a blob (a file, or bytes in memory) as a request body, reporting the bytes handed to the connection so far (for progress).
/// </summary>
internal sealed class BlobContent : HttpContent
{
    private readonly Func<Stream> _open;
    private readonly long _offset;
    private readonly long _length;
    private readonly Action<long>? _sent;

    public BlobContent(Func<Stream> open, long offset, long length, Action<long>? sent)
    {
        _open = open;
        _offset = offset;
        _length = length;
        _sent = sent;
        Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
    }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        await SerializeToStreamAsync(stream, context, CancellationToken.None).ConfigureAwait(false);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken ct)
    {
        await using var file = _open();
        file.Position = _offset;
        var buffer = new byte[1 << 16];
        var left = _length;
        while (left > 0)
        {
            var read = await file.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), ct).ConfigureAwait(false);
            if (read == 0) throw new IOException($"The blob ended {left} bytes early.");
            await stream.WriteAsync(buffer.AsMemory(0, read), ct).ConfigureAwait(false);
            left -= read;
            _sent?.Invoke(_length - left);
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _length;
        return true;
    }
}
