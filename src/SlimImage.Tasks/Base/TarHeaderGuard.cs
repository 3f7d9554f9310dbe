using System.Text;
using SlimImage.FileSystem;

namespace SlimImage.Base;

/// <summary>
/// Watches the tar headers going to System.Formats.Tar's TarReader, which reads the whole data of a PAX extended
/// header ('x', 'g') or a GNU long name ('L', 'K') into one array: a base layer claiming a 2 GiB header would make
/// it allocate 2 GiB. Such metadata beyond <see cref="MaxMetadata"/> is refused when its header block passes, before
/// TarReader sees it. Only headers whose checksum is right are acted on; on anything it cannot follow the guard
/// steps aside and leaves the verdict to TarReader, so it never refuses a layer that TarReader reads.
/// </summary>
internal sealed class TarHeaderGuard(Stream inner, Func<string, long, Exception> tooLarge) : ReadOnlyStream
{
    /// <summary>1 MiB: a long path or link name, or extended attributes (capabilities, ACLs), are a few KB.</summary>
    public const int MaxMetadata = 1 << 20;

    private readonly byte[] header = new byte[512];
    private int headerFill;
    private long skip;
    private MemoryStream? pax;
    private long? paxSize;
    private bool off;

    public override int Read(Span<byte> buffer)
    {
        var n = inner.Read(buffer);
        if (!off) Track(buffer[..n]);
        return n;
    }

    private void Track(ReadOnlySpan<byte> data)
    {
        while (data.Length > 0 && !off)
        {
            if (skip > 0)
            {
                var take = (int)Math.Min(skip, data.Length);
                pax?.Write(data[..take]);
                skip -= take;
                data = data[take..];
                if (skip == 0 && pax != null) EndPax();
                continue;
            }
            var copy = Math.Min(512 - headerFill, data.Length);
            data[..copy].CopyTo(header.AsSpan(headerFill));
            headerFill += copy;
            data = data[copy..];
            if (headerFill == 512)
            {
                headerFill = 0;
                OnHeader();
            }
        }
    }

    private void OnHeader()
    {
        if (!header.AsSpan().ContainsAnyExcept((byte)0)) return; // end-of-archive blocks
        if (!ChecksumIsRight() || Size(header.AsSpan(124, 12)) is not { } size)
        {
            off = true;
            return;
        }
        var type = (char)header[156];
        var name = Encoding.UTF8.GetString(header.AsSpan(0, 100)).TrimEnd('\0');
        if (type is 'x' or 'g' or 'L' or 'K')
        {
            if (size > MaxMetadata) throw tooLarge(name, size);
            pax = type == 'x' ? new MemoryStream((int)size) : null;
        }
        else
        {
            size = paxSize ?? size;
            paxSize = null;
        }
        skip = (size + 511) / 512 * 512;
        if (pax != null && size == 0) EndPax();
    }

    /// <summary>The "size" record a PAX header gives the next entry (records are "LEN key=value\n").</summary>
    private void EndPax()
    {
        var text = Encoding.UTF8.GetString(pax!.GetBuffer(), 0, (int)pax.Length);
        pax = null;
        foreach (var record in text.Split('\n'))
        {
            var space = record.IndexOf(' ');
            if (space > 0 && record[(space + 1)..].StartsWith("size=", StringComparison.Ordinal))
            {
                if (long.TryParse(record[(space + 6)..], out var size) && size >= 0) paxSize = size;
                else off = true;
            }
        }
    }

    private bool ChecksumIsRight()
    {
        var stored = Size(header.AsSpan(148, 8));
        long sum = 0;
        for (var i = 0; i < 512; i++) sum += i is >= 148 and < 156 ? ' ' : header[i];
        return stored == sum;
    }

    /// <summary>An octal field (NUL or space padded), or GNU's base-256 (high bit set); null when it is neither.</summary>
    private static long? Size(ReadOnlySpan<byte> field)
    {
        if ((field[0] & 0x80) != 0)
        {
            long value = field[0] & 0x7F;
            foreach (var b in field[1..])
            {
                if (value > long.MaxValue >> 8) return null;
                value = value << 8 | b;
            }
            return value;
        }
        var text = field.TrimStart((byte)' ');
        long result = 0;
        var i = 0;
        for (; i < text.Length && text[i] is >= (byte)'0' and <= (byte)'7'; i++)
        {
            if (result > long.MaxValue >> 3) return null;
            result = result * 8 + (text[i] - '0');
        }
        // Digits end at a NUL or a space; anything else is no number.
        return text[i..].ContainsAnyExcept((byte)0, (byte)' ') ? null : result;
    }
}
