using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Microsoft.Win32.SafeHandles;
using SlimImage.Diagnostics;
using SlimImage.FileSystem;

namespace SlimImage.Publish.Bundle;

/// <summary>
/// Reads the manifest of a single-file bundle. The apphost carries a 32-byte signature (the SHA-256 of ".net core
/// bundle") right after an 8-byte slot where the bundler writes the header's offset (bundle_marker.cpp; 0 in a plain
/// apphost). The bundle is untrusted input: every offset, size, count and path is checked against the file before
/// use, and a bundle that fails a check is SLIM1040, naming the file and what is wrong.
/// </summary>
public static class BundleReader
{
    /// <summary>SHA-256 of ".net core bundle", as the bundler and the host define it.</summary>
    internal static ReadOnlySpan<byte> Signature =>
    [
        0x8b, 0x12, 0x02, 0xb9, 0x6a, 0x61, 0x20, 0x38, 0x72, 0x7b, 0x93, 0x02, 0x14, 0xd7, 0xa0, 0x32,
        0x13, 0xf5, 0xb9, 0xe6, 0xef, 0xae, 0x33, 0x18, 0xee, 0x3b, 0x2d, 0xce, 0x24, 0xb3, 0x6a, 0xae,
    ];

    // A real manifest is a few KB (one short path per file); more than this is not a manifest.
    private const long MaxManifestBytes = 16 << 20;
    private const int MaxPathBytes = 4096;
    // Fixed part of an entry in a v6 manifest: offset, size, compressed size, type, and at least a 1-byte path.
    private const int MinEntryBytes = 8 + 8 + 8 + 1 + 2;
    // Deflate cannot expand data more than about 1032 times: a larger claimed size is damage, and it bounds what
    // decompressing an entry may write.
    internal const long MaxDeflateRatio = 1032;

    /// <summary>
    /// The manifest of <paramref name="path"/>, or null when the file is not a bundle (no signature, or a plain
    /// apphost whose header offset is 0). Throws SLIM1040 for a damaged bundle, SLIM1041 for an unknown version.
    /// </summary>
    public static BundleManifest? TryRead(string path)
    {
        using var handle = HostFile.OpenHandle(path, "a single-file bundle");
        var length = RandomAccess.GetLength(handle);
        var marker = FindSignature(handle, length);
        if (marker < 0) return null;
        if (marker < 8) throw Damaged(path, "the bundle signature has no header offset before it");
        Span<byte> slot = stackalloc byte[8];
        ReadExactly(handle, slot, marker - 8, path);
        var headerOffset = BinaryPrimitives.ReadInt64LittleEndian(slot);
        if (headerOffset == 0) return null;
        if (headerOffset < 0 || headerOffset > length - 12)
            throw Damaged(path, $"the header offset {headerOffset} lies outside the file ({length} bytes)");
        if (length - headerOffset > MaxManifestBytes)
            throw Damaged(path, $"the manifest at {headerOffset} would be {length - headerOffset} bytes long");
        var manifest = new byte[length - headerOffset];
        ReadExactly(handle, manifest, headerOffset, path);
        return Parse(path, manifest, headerOffset);
    }

    /// <summary>Parses the manifest bytes (from the header offset to the end of the file).</summary>
    internal static BundleManifest Parse(string path, ReadOnlySpan<byte> data, long headerOffset)
    {
        var r = new ManifestCursor(path, data);
        var major = r.U32("major version");
        var minor = r.U32("minor version");
        var count = r.I32("file count");
        // 1: .NET Core 3, 2: .NET 5, 6: .NET 6 and later (compressed sizes added). The host of each release reads
        // only its own version (header.cpp), so anything else is a format this reader does not know.
        if (major is not (1 or 2 or 6))
            throw new SlimException("SLIM1041", path, $"{major}.{minor}");
        if (count <= 0 || count > data.Length / MinEntryBytes)
            throw Damaged(path, $"the manifest claims {count} files");
        var bundleId = r.PathString("bundle id");
        ulong flags = 0;
        if (major >= 2)
        {
            r.Skip(32, "deps.json and runtimeconfig.json locations");
            flags = r.U64("flags");
        }
        var entries = new List<BundleEntry>(count);
        for (var i = 0; i < count; i++)
        {
            var offset = r.I64("file offset");
            var size = r.I64("file size");
            var compressed = major >= 6 ? r.I64("compressed size") : 0;
            var type = r.U8("file type");
            var relative = r.PathString("file path");
            var what = $"file {i} ('{relative}')";
            if (type > (byte)BundleFileType.Symbols) throw Damaged(path, $"{what} has unknown type {type}");
            if (offset <= 0 || size < 0 || compressed < 0) throw Damaged(path, $"{what} has offset {offset}, size {size}, compressed size {compressed}");
            var stored = compressed > 0 ? compressed : size;
            // The bundler writes every file before the header.
            if (offset > headerOffset || stored > headerOffset - offset)
                throw Damaged(path, $"{what} ({stored} bytes at {offset}) reaches past the files into the manifest or beyond the end");
            if (compressed > 0 && size / MaxDeflateRatio > compressed)
                throw Damaged(path, $"{what} claims {size} bytes from {compressed} compressed ones");
            CheckRelativePath(path, relative, what);
            entries.Add(new BundleEntry(offset, size, compressed, (BundleFileType)type, relative));
        }
        return new BundleManifest(path, major, minor, bundleId, flags, entries);
    }

    /// <summary>
    /// The host writes extracted files at this path below its extraction folder: it must stay below it. No absolute
    /// path, no '..', '.' or empty component, no NUL, no backslash (the bundler writes '/').
    /// </summary>
    private static void CheckRelativePath(string path, string relative, string what)
    {
        if (relative.Length == 0 || relative.StartsWith('/') || relative.Contains('\0') || relative.Contains('\\')
            || relative.Split('/').Any(part => part is "" or "." or ".."))
            throw Damaged(path, $"{what} has a path that leaves the extraction folder or is not a plain relative path");
    }

    /// <summary>The offset of the signature in the file, or -1; read in overlapping chunks, stopping at the first hit.</summary>
    private static long FindSignature(SafeFileHandle handle, long length)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            var overlap = Signature.Length - 1;
            for (long start = 0; start < length; start += buffer.Length - overlap)
            {
                var read = RandomAccess.Read(handle, buffer, start);
                if (read <= 0) break;
                var at = buffer.AsSpan(0, read).IndexOf(Signature);
                if (at >= 0) return start + at;
                if (start + read >= length) break;
            }
            return -1;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    internal static void ReadExactly(SafeFileHandle handle, Span<byte> into, long offset, string path)
    {
        var done = 0;
        while (done < into.Length)
        {
            var read = RandomAccess.Read(handle, into[done..], offset + done);
            if (read <= 0) throw Damaged(path, $"the file ends before byte {offset + into.Length}");
            done += read;
        }
    }

    internal static SlimException Damaged(string path, string why) => new("SLIM1040", path, why);

    /// <summary>Bounds-checked little-endian reads over the manifest bytes.</summary>
    private ref struct ManifestCursor(string path, ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> data = data;
        private int position;

        private ReadOnlySpan<byte> Take(int count, string what)
        {
            if (count < 0 || count > data.Length - position)
                throw Damaged(path, $"the manifest ends inside the {what}");
            var span = data.Slice(position, count);
            position += count;
            return span;
        }

        public void Skip(int count, string what) => Take(count, what);
        public byte U8(string what) => Take(1, what)[0];
        public uint U32(string what) => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, what));
        public int I32(string what) => BinaryPrimitives.ReadInt32LittleEndian(Take(4, what));
        public long I64(string what) => BinaryPrimitives.ReadInt64LittleEndian(Take(8, what));
        public ulong U64(string what) => BinaryPrimitives.ReadUInt64LittleEndian(Take(8, what));

        /// <summary>A string as BinaryWriter writes it: a 7-bit encoded length, then that many UTF-8 bytes.</summary>
        public string PathString(string what)
        {
            var length = 0;
            for (var shift = 0; ; shift += 7)
            {
                if (shift > 28) throw Damaged(path, $"the length of the {what} is not a 7-bit encoded number");
                var b = U8(what);
                length |= (b & 0x7f) << shift;
                if (b < 0x80) break;
            }
            if (length is <= 0 or > MaxPathBytes) throw Damaged(path, $"the {what} is {length} bytes long");
            try
            {
                return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Take(length, what));
            }
            catch (DecoderFallbackException)
            {
                throw Damaged(path, $"the {what} is not UTF-8");
            }
        }
    }
}
