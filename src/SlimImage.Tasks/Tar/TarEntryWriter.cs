using System.Buffers;
// Why a hand-written ustar/PAX writer rather than System.Formats.Tar or SharpCompress:
// - System.Formats.Tar's PaxTarEntry on .NET 8 and 9 adds atime and ctime = now to every entry (removed only in
//   .NET 10, dotnet/runtime#115778), and the task must run in the MSBuild of SDK 8, 9 and 10.
// - Its PAX format writes an extended header before *every* entry (path and a fractional mtime), named
//   "{dir}/PaxHeaders.{Environment.ProcessId}/{file}" (TarHeader.Write.cs, GenerateExtendedAttributeName): the
//   process id lands in the layer, so two builds never give the same bytes.
// - Its ustar format cannot hold paths over 256 bytes nor sizes of 8 GiB; its GNU format writes atime/ctime fields.
// - With a seekable archive it seeks back to patch the size; we stream into a compressor, and we want the size taken
//   from what was read, checked against what was declared.
// - SharpCompress's TarWriter writes GNU long-name entries and would be one more assembly to ship in the package.
// This writer emits ustar headers, and a PAX 'x' header only for the fields that do not fit (path, linkpath, size,
// uid, gid), as Go's archive/tar does, so ordinary entries stay plain ustar and the bytes depend on nothing else.
using System.Text;
using SlimImage.Diagnostics;

namespace SlimImage.Tar;

/// <summary>Writes tar entries (POSIX.1-2001 ustar + pax) with every field fixed by the caller.</summary>
internal sealed class TarEntryWriter
{
    internal const int Block = 512;
    internal const long MaxOctalSize = 8L * 1024 * 1024 * 1024 - 1; // 11 octal digits
    internal const long MaxOctalId = 0x1F_FFFF;                       // 7 octal digits
    private const int ChunkSize = 64 * 1024;

    private readonly Stream _output;
    private readonly long _mtime;
    // Everything goes downstream in fixed 64 KiB chunks, so the compressor sees the same write sizes whatever
    // FileStream.Read happened to return.
    private readonly byte[] _chunk = new byte[ChunkSize];
    private int _used;

    /// <param name="output">Where the tar goes (never flushed by this writer).</param>
    /// <param name="mtime">Seconds since 1970 for every entry; see <see cref="ToTarTime"/>.</param>
    public TarEntryWriter(Stream output, long mtime)
    {
        _output = output;
        _mtime = mtime;
    }

    /// <summary>Bytes of tar written so far (including what is still buffered).</summary>
    public long Position { get; private set; }

    /// <summary>The tar mtime of a timestamp; throws SLIM3006 if 11 octal digits cannot hold it.</summary>
    public static long ToTarTime(DateTimeOffset timestamp)
    {
        var seconds = timestamp.ToUnixTimeSeconds();
        if (seconds < 0 || seconds > MaxOctalSize)
            throw new SlimException("SLIM3006", timestamp.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        return seconds;
    }

    public void WriteDirectory(string name, int mode, int uid, int gid) =>
        Emit(EncodeHeader(new TarHeader(name, TarHeader.Directory, mode, uid, gid, 0, _mtime, null)));

    public void WriteSymlink(string name, string target, int mode, int uid, int gid) =>
        Emit(EncodeHeader(new TarHeader(name, TarHeader.Symlink, mode, uid, gid, 0, _mtime, target)));

    public void WriteFile(string name, int mode, int uid, int gid, ReadOnlySpan<byte> content)
    {
        Emit(EncodeHeader(new TarHeader(name, TarHeader.RegularFile, mode, uid, gid, content.Length, _mtime, null)));
        Emit(content);
        Pad(content.Length);
    }

    /// <summary>
    /// Writes a file of <paramref name="size"/> bytes from <paramref name="content"/>, which must end exactly there:
    /// a source that shrinks or grows meanwhile gives SLIM3002, a read error SLIM3001 (<paramref name="source"/> names it).
    /// </summary>
    public void WriteFile(string name, int mode, int uid, int gid, long size, Stream content, string source, CancellationToken ct,
        FileHasher? hasher = null)
    {
        Emit(EncodeHeader(new TarHeader(name, TarHeader.RegularFile, mode, uid, gid, size, _mtime, null)));
        // Pooled: one file after another, hundreds per image, in MSBuild's process (see Compression/NativeBuffer).
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            var remaining = size;
            while (remaining > 0)
            {
                ct.ThrowIfCancellationRequested();
                var read = Read(content, buffer.AsSpan(0, (int)Math.Min(ChunkSize, remaining)), source);
                if (read == 0) throw SizeMismatch(content, source, size, size - remaining);
                hasher?.Append(buffer.AsSpan(0, read));
                Emit(buffer.AsSpan(0, read));
                remaining -= read;
            }
            if (Read(content, buffer.AsSpan(0, 1), source) != 0)
                throw SizeMismatch(content, source, size, null);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        Pad(size);
    }

    /// <summary>Ends the archive with two zero blocks (POSIX pax, "ustar Interchange Format") and hands on the rest.</summary>
    public void Finish()
    {
        Emit(new byte[2 * Block]);
        _output.Write(_chunk, 0, _used);
        _used = 0;
    }

    /// <summary>
    /// The header block(s) of one entry: a ustar block, preceded by a PAX 'x' entry when a field does not fit.
    /// Internal so tests can check the 8 GiB case without streaming 8 GiB.
    /// </summary>
    internal static byte[] EncodeHeader(TarHeader h)
    {
        var name = Encoding.UTF8.GetBytes(h.Name);
        byte[] link = h.LinkName == null ? [] : Encoding.UTF8.GetBytes(h.LinkName);
        // Sorted by key, so the extended header is a function of the entry alone.
        var pax = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (h.Gid > MaxOctalId) pax["gid"] = h.Gid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (!FitsUstar(link)) pax["linkpath"] = h.LinkName!;
        if (!FitsUstar(name)) pax["path"] = h.Name;
        if (h.Size > MaxOctalSize) pax["size"] = h.Size.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (h.Uid > MaxOctalId) pax["uid"] = h.Uid.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var block = Ustar(h with { Name = Ascii(h.Name), LinkName = h.LinkName == null ? null : Ascii(h.LinkName) });
        if (pax.Count == 0) return block;

        var records = PaxRecords(pax);
        var xName = Ascii(PaxHeaderName(h.Name));
        var xHeader = Ustar(new TarHeader(xName, TarHeader.PaxExtended, h.Mode, h.Uid, h.Gid, records.Length, h.Mtime, null));
        var padded = (records.Length + Block - 1) / Block * Block;
        var result = new byte[Block + padded + Block];
        xHeader.CopyTo(result, 0);
        records.CopyTo(result, Block);
        block.CopyTo(result, Block + padded);
        return result;
    }

    private static bool FitsUstar(byte[] utf8) => utf8.Length <= 100 && Array.TrueForAll(utf8, b => b < 0x80);

    private static byte[] Ustar(TarHeader h)
    {
        var b = new byte[Block];
        Text(b, 0, 100, h.Name);
        Octal(b, 100, 8, h.Mode);
        Octal(b, 108, 8, h.Uid <= MaxOctalId ? h.Uid : 0);
        Octal(b, 116, 8, h.Gid <= MaxOctalId ? h.Gid : 0);
        Octal(b, 124, 12, h.Size <= MaxOctalSize ? h.Size : 0);
        Octal(b, 136, 12, h.Mtime);
        b[156] = (byte)h.Type;
        Text(b, 157, 100, h.LinkName ?? "");
        "ustar\0"u8.CopyTo(b.AsSpan(257));
        "00"u8.CopyTo(b.AsSpan(263));
        // uname/gname (265, 297) stay empty: owners are numeric only, as jib does, so no host names leak in.
        Octal(b, 329, 8, 0); // devmajor
        Octal(b, 337, 8, 0); // devminor
        // prefix (345) unused: a path that does not fit in name gets a PAX path instead of a split.
        "        "u8.CopyTo(b.AsSpan(148));
        var sum = 0;
        foreach (var x in b) sum += x;
        Octal(b, 148, 7, sum); // six digits and NUL, then the space already there
        return b;
    }

    /// <summary>"%d %s=%s\n" where %d counts the whole record including itself (POSIX pax, "pax Extended Header").</summary>
    private static byte[] PaxRecords(IEnumerable<KeyValuePair<string, string>> records)
    {
        var ms = new MemoryStream();
        foreach (var (key, value) in records)
        {
            var body = Encoding.UTF8.GetBytes(" " + key + "=" + value + "\n");
            var length = body.Length + 1;
            while (length != body.Length + length.ToString(System.Globalization.CultureInfo.InvariantCulture).Length)
                length = body.Length + length.ToString(System.Globalization.CultureInfo.InvariantCulture).Length;
            ms.Write(Encoding.ASCII.GetBytes(length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            ms.Write(body);
        }
        return ms.ToArray();
    }

    // "dir/PaxHeaders.0/base" as Go writes it: the pax spec suggests %d/PaxHeaders.%p/%f, with the pid fixed to 0.
    private static string PaxHeaderName(string name)
    {
        var trimmed = name.TrimEnd('/');
        var slash = trimmed.LastIndexOf('/');
        return slash < 0 ? "PaxHeaders.0/" + trimmed : trimmed[..(slash + 1)] + "PaxHeaders.0/" + trimmed[(slash + 1)..];
    }

    // The ustar copy of a name that has a PAX record: ASCII characters only, cut at 100 bytes (readers use the record).
    private static string Ascii(string text)
    {
        var sb = new StringBuilder(Math.Min(text.Length, 100));
        foreach (var c in text)
            if (c < 0x80 && c != 0 && sb.Length < 100) sb.Append(c);
        return sb.ToString();
    }

    private static void Text(byte[] b, int offset, int length, string text) =>
        Encoding.ASCII.GetBytes(text).AsSpan(0, Math.Min(text.Length, length)).CopyTo(b.AsSpan(offset, length));

    private static void Octal(byte[] b, int offset, int length, long value)
    {
        var digits = Convert.ToString(value, 8).PadLeft(length - 1, '0');
        Encoding.ASCII.GetBytes(digits).CopyTo(b, offset);
        b[offset + length - 1] = 0;
    }

    private static int Read(Stream content, Span<byte> buffer, string source)
    {
        try { return content.Read(buffer); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SlimException(e, "SLIM3001", source, e.Message);
        }
    }

    /// <summary>
    /// SLIM3002 when the file's size changed (something is writing it); SLIM1022 when the file system still gives the
    /// size the copy started with but the bytes do not match it: a /proc or /sys file, whose size is made up.
    /// <paramref name="read"/> is the bytes read when the file ended early, null when it went on past its size.
    /// </summary>
    private static SlimException SizeMismatch(Stream content, string source, long size, long? read)
    {
        long now;
        try { now = content.CanSeek ? content.Length : -1; }
        catch (IOException) { now = -1; }
        var got = read?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "more than " + size.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (now == size)
            return new SlimException("SLIM1022", source, size, got);
        return new SlimException("SLIM3002", source, size, now >= 0 ? now.ToString(System.Globalization.CultureInfo.InvariantCulture) : got);
    }

    private void Pad(long size)
    {
        var rest = (int)(size % Block);
        if (rest != 0) Emit(new byte[Block - rest]);
    }

    private void Emit(ReadOnlySpan<byte> data)
    {
        Position += data.Length;
        while (!data.IsEmpty)
        {
            var n = Math.Min(data.Length, ChunkSize - _used);
            data[..n].CopyTo(_chunk.AsSpan(_used));
            _used += n;
            data = data[n..];
            if (_used == ChunkSize)
            {
                _output.Write(_chunk, 0, ChunkSize);
                _used = 0;
            }
        }
    }
}

/// <summary>The fields of one tar header; everything not here is written as zero or empty.</summary>
internal readonly record struct TarHeader(string Name, char Type, int Mode, long Uid, long Gid, long Size, long Mtime, string? LinkName)
{
    public const char RegularFile = '0';
    public const char Symlink = '2';
    public const char Directory = '5';
    public const char PaxExtended = 'x';
}
