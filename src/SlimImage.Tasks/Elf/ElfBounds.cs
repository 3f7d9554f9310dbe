using System.Buffers.Binary;

namespace SlimImage.Elf;

/// <summary>
/// A bounds check run before ELFSharp parses a file. ELFSharp trusts the header: a garbage <c>sh_size</c> makes it
/// allocate that many bytes up front (<c>BinaryReader.ReadBytes</c>), and a garbage count makes it loop. Checking that
/// every table and every section/segment lies inside the file keeps reading bounded by the file's size, and turns
/// the damage into a reason instead of an exception.
/// </summary>
internal static class ElfBounds
{
    private const uint SHT_NULL = 0, SHT_NOBITS = 8;

    /// <summary>Null when the file is not ELF at all; otherwise "" when sound, or why it is corrupt.</summary>
    public static string? Check(Stream stream)
    {
        var length = stream.Length;
        Span<byte> ident = stackalloc byte[64];
        stream.Position = 0;
        var got = ReadAtMost(stream, ident);
        if (got < 4 || ident[0] != 0x7f || ident[1] != (byte)'E' || ident[2] != (byte)'L' || ident[3] != (byte)'F')
            return null;
        if (got < 16) return "truncated e_ident";
        var cls = ident[4];
        var data = ident[5];
        if (cls is not (1 or 2)) return $"unknown ELF class {cls}";
        if (data is not (1 or 2)) return $"unknown ELF data encoding {data}";
        if (ident[6] != 1) return $"unknown ELF version {ident[6]}";
        var is64 = cls == 2;
        var headerSize = is64 ? 64 : 52;
        if (got < headerSize) return "truncated ELF header";

        var r = new FieldReader(ident[..headerSize].ToArray(), data == 1, is64);
        var phoff = r.Addr(is64 ? 32 : 28);
        var shoff = r.Addr(is64 ? 40 : 32);
        var at = is64 ? 52 : 40; // e_ehsize, then the table geometry
        var phentsize = r.U16(at + 2);
        ulong phnum = r.U16(at + 4);
        var shentsize = r.U16(at + 6);
        ulong shnum = r.U16(at + 8);
        ulong shstrndx = r.U16(at + 10);

        if (phnum > 0)
        {
            // ld.so refuses any other size ("ELF file's phentsize not the expected size").
            if (phentsize != (is64 ? 56 : 32)) return $"program header entry size {phentsize} is wrong";
            if (!Inside(phoff, phnum * phentsize, length)) return "program header table lies outside the file";
            var table = ReadAt(stream, phoff, (int)(phnum * phentsize));
            var p = new FieldReader(table, data == 1, is64);
            for (var i = 0; i < (int)phnum; i++)
            {
                var e = i * phentsize;
                var offset = p.Addr(e + (is64 ? 8 : 4));
                var filesz = p.Addr(e + (is64 ? 32 : 16));
                if (!Inside(offset, filesz, length)) return $"segment {i} lies outside the file";
            }
        }

        if (shoff == 0) return "";
        if (shentsize != (is64 ? 64 : 40)) return $"section header entry size {shentsize} is wrong";
        if (!Inside(shoff, shentsize, length)) return "section header table lies outside the file";
        if (shnum == 0 || shstrndx == 0xffff)
        {
            // SHN_XINDEX / extended numbering: the real values live in section header 0 (gABI).
            var first = new FieldReader(ReadAt(stream, shoff, shentsize), data == 1, is64);
            if (shnum == 0) shnum = first.Addr(is64 ? 32 : 20);
            if (shstrndx == 0xffff) shstrndx = first.U32(is64 ? 40 : 24);
        }
        if (shnum > (ulong)length / shentsize || !Inside(shoff, shnum * shentsize, length))
            return "section header table lies outside the file";
        if (shstrndx != 0 && shstrndx >= shnum) return "section name table index is out of range";
        var sections = new FieldReader(ReadAt(stream, shoff, (int)(shnum * shentsize)), data == 1, is64);
        for (var i = 0; i < (int)shnum; i++)
        {
            var e = i * shentsize;
            var type = sections.U32(e + 4);
            if (type is SHT_NULL or SHT_NOBITS) continue;
            var offset = sections.Addr(e + (is64 ? 24 : 16));
            var size = sections.Addr(e + (is64 ? 32 : 20));
            if (!Inside(offset, size, length)) return $"section {i} lies outside the file";
        }
        return "";
    }

    private static bool Inside(ulong offset, ulong size, long length) =>
        offset <= (ulong)length && size <= (ulong)length - offset;

    internal static byte[] ReadAt(Stream stream, ulong offset, int count)
    {
        var buffer = new byte[count];
        stream.Position = (long)offset;
        stream.ReadExactly(buffer);
        return buffer;
    }

    private static int ReadAtMost(Stream stream, Span<byte> buffer)
    {
        var total = 0;
        int n;
        while (total < buffer.Length && (n = stream.Read(buffer[total..])) > 0) total += n;
        return total;
    }

    /// <summary>Reads ELF fields of either class and byte order from a buffer.</summary>
    internal readonly struct FieldReader(byte[] bytes, bool little, bool is64)
    {
        public ushort U16(int at) => little
            ? BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(at)) : BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(at));

        public uint U32(int at) => little
            ? BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at)) : BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(at));

        public ulong U64(int at) => little
            ? BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(at)) : BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(at));

        /// <summary>An address, offset or size: 8 bytes in ELFCLASS64, 4 in ELFCLASS32.</summary>
        public ulong Addr(int at) => is64 ? U64(at) : U32(at);
    }
}
