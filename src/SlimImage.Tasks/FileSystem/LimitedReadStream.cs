namespace SlimImage.FileSystem;

/// <summary>
/// The decompressed side of a layer blob (a base archive's, a pulled one): counts what is read, stops at the limit, and checks for cancellation on
/// every read, so Ctrl+C stops the build inside one huge tar entry too (TarReader skips an entry's data by reading
/// it through this stream).
/// </summary>
internal sealed class LimitedReadStream(Stream inner, long limit, Func<Exception> tooLarge, CancellationToken ct) : ReadOnlyStream
{
    public long Count { get; private set; }

    public override int Read(Span<byte> buffer)
    {
        ct.ThrowIfCancellationRequested();
        // One byte past the limit is enough to know; never ask the decompressor for much more.
        var room = limit - Count + 1;
        var n = inner.Read(room < buffer.Length ? buffer[..(int)room] : buffer);
        Count += n;
        if (Count > limit) throw tooLarge();
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
