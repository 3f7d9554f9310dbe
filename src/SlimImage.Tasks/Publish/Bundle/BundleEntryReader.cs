using System.IO.Compression;
using Microsoft.Win32.SafeHandles;
using SlimImage.FileSystem;

namespace SlimImage.Publish.Bundle;

/// <summary>
/// The bytes of one embedded file: read from its range of the bundle and, when stored compressed, inflated (raw
/// deflate, as the bundler writes with EnableCompressionInSingleFile). What comes out must be exactly the size the
/// manifest gives; more or less is SLIM1040, so a damaged entry can neither run on nor stop short unnoticed.
/// </summary>
public static class BundleEntryReader
{
    /// <summary>The entry's content, in memory (assemblies, whose metadata is read).</summary>
    public static byte[] ReadAll(BundleManifest manifest, BundleEntry entry)
    {
        // The manifest's sizes are bounded by the file and the deflate ratio (BundleReader), so this cannot be asked
        // for more than the bundle could really hold.
        if (entry.Size > Array.MaxLength)
            throw BundleReader.Damaged(manifest.BundlePath, $"'{entry.RelativePath}' claims {entry.Size} bytes");
        var content = new byte[entry.Size];
        using var stream = Open(manifest, entry);
        stream.ReadExactly(content);
        stream.ReadByte(); // the end: throws when the data runs on past the claimed size
        return content;
    }

    /// <summary>Writes the entry to <paramref name="destination"/> (created or replaced).</summary>
    public static void Extract(BundleManifest manifest, BundleEntry entry, string destination)
    {
        using var stream = Open(manifest, entry);
        using var output = new FileStream(destination, FileMode.Create, FileAccess.Write, FileShare.None);
        stream.CopyTo(output);
    }

    /// <summary>
    /// A seekable stream of the entry, for readers that want only part of it (PEReader reads just the metadata): the
    /// bundle's own range when stored as it is, else the inflated bytes.
    /// </summary>
    public static Stream OpenSeekable(BundleManifest manifest, BundleEntry entry)
    {
        if (entry.IsCompressed) return new MemoryStream(ReadAll(manifest, entry), writable: false);
        var handle = HostFile.OpenHandle(manifest.BundlePath, "a single-file bundle");
        return new RangeStream(handle, entry.Offset, entry.Size);
    }

    /// <summary>A stream of exactly <see cref="BundleEntry.Size"/> bytes; reading past a damaged end throws SLIM1040.</summary>
    public static Stream Open(BundleManifest manifest, BundleEntry entry)
    {
        var handle = HostFile.OpenHandle(manifest.BundlePath, "a single-file bundle");
        Stream raw = new RangeStream(handle, entry.Offset, entry.StoredSize);
        if (entry.IsCompressed) raw = new DeflateStream(raw, CompressionMode.Decompress);
        return new ExactLengthStream(raw, entry.Size, manifest.BundlePath, entry.RelativePath);
    }

    /// <summary>A read-only view of one range of a file (the manifest checked that it lies inside), owning the handle.</summary>
    private sealed class RangeStream(SafeFileHandle handle, long start, long length) : Stream
    {
        private long position;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var left = length - position;
            if (left <= 0) return 0;
            if (buffer.Length > left) buffer = buffer[..(int)left];
            var read = RandomAccess.Read(handle, buffer, start + position);
            position += read;
            return read;
        }

        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => length;

        public override long Position
        {
            get => position;
            set => position = value >= 0 ? value : throw new IOException("A position before the start of the entry.");
        }

        public override void Flush() { }

        public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => position + offset,
            _ => length + offset,
        };

        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) handle.Dispose();
            base.Dispose(disposing);
        }
    }

    private sealed class ExactLengthStream(Stream inner, long expected, string bundle, string name) : ReadOnlyStream
    {
        private long produced;

        public override int Read(Span<byte> buffer)
        {
            if (buffer.IsEmpty) return 0;
            int read;
            try
            {
                // One byte more than expected may be asked for, to notice data running on past the claimed size.
                var room = expected - produced;
                read = inner.Read(room >= buffer.Length ? buffer : buffer[..(int)Math.Max(room, 1)]);
            }
            catch (InvalidDataException e)
            {
                throw BundleReader.Damaged(bundle, $"'{name}' does not inflate ({e.Message})");
            }
            produced += read;
            if (produced > expected)
                throw BundleReader.Damaged(bundle, $"'{name}' holds more than the {expected} bytes its manifest entry gives");
            if (read == 0 && produced < expected)
                throw BundleReader.Damaged(bundle, $"'{name}' ends after {produced} of the {expected} bytes its manifest entry gives");
            return read;
        }

        public override long Length => expected;
        public override long Position { get => produced; set => throw new NotSupportedException(); }

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
