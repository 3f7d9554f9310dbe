namespace SlimImage.Layers.Compression;

/// <summary>
/// A write-only stream that cuts what it is given into chunks of <see cref="ChunkCodec.ChunkSize"/> bytes, has the
/// <see cref="CompressionPool"/> compress them concurrently, and writes the compressed units to its output in order,
/// on the writing thread (so whatever hashes the output sees one ordered stream). Chunk boundaries are byte counts
/// only, so the output depends neither on the number of threads nor on their timing.
/// </summary>
internal sealed class ParallelCompressionStream : WriteOnlyStream
{
    private readonly Stream _output;
    private readonly ChunkCodec _codec;
    private readonly CompressionPool _pool;
    private readonly CancellationToken _ct;
    private readonly Queue<ChunkJob> _inFlight = new();
    private NativeBuffer? _chunk;
    private int _filled;
    private long _length;
    private bool _anyChunk;

    public ParallelCompressionStream(Stream output, ChunkCodec codec, CompressionPool pool, CancellationToken ct)
    {
        _output = output;
        _codec = codec;
        _pool = pool;
        _ct = ct;
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _length += buffer.Length;
        while (!buffer.IsEmpty)
        {
            _chunk ??= NativeBuffer.Rent(_codec.ChunkSize);
            var n = Math.Min(buffer.Length, _codec.ChunkSize - _filled);
            buffer[..n].CopyTo(_chunk.Span[_filled..]);
            _filled += n;
            buffer = buffer[n..];
            if (_filled == _codec.ChunkSize) Submit();
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <summary>Compresses what is left and writes every unit out; an empty input still gives one (empty) unit.</summary>
    public void Finish()
    {
        if (_filled > 0 || !_anyChunk)
        {
            _chunk ??= NativeBuffer.Rent(_codec.ChunkSize);
            Submit();
        }
        while (_inFlight.Count > 0) WriteOldest();
    }

    private void Submit()
    {
        // Never block on the shared budget while holding slots of our own: drain our oldest unit instead (its
        // compression needs no slot, so it always finishes). A writer blocks only with nothing in flight, and then
        // every slot is held by writers that drain themselves, so it cannot wait forever.
        while (!_pool.TryTakeSlot())
        {
            _ct.ThrowIfCancellationRequested();
            if (_inFlight.Count > 0) WriteOldest();
            else { _pool.TakeSlot(_ct); break; }
        }
        var job = new ChunkJob(_codec, _chunk!, _filled);
        (_chunk, _filled, _anyChunk) = (null, 0, true);
        _inFlight.Enqueue(job);
        _pool.Submit(job);
    }

    private void WriteOldest()
    {
        var job = _inFlight.Dequeue();
        try
        {
            using var unit = job.Wait();
            _output.Write(unit.Written);
        }
        finally
        {
            _pool.ReturnSlot();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            // On failure: wait for what is still in flight so that no worker writes into returned buffers.
            while (_inFlight.Count > 0)
            {
                var job = _inFlight.Dequeue();
                try { job.Wait().Dispose(); }
                catch (InvalidOperationException) { /* the first failure was reported already */ }
                finally { _pool.ReturnSlot(); }
            }
            _chunk?.Dispose();
            _chunk = null;
        }
        base.Dispose(disposing);
    }

    public override long Length => _length;
}
