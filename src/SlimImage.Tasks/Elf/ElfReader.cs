using System.Text;
using ELFSharp.ELF;
using ELFSharp.ELF.Segments;
using SlimImage.Diagnostics;
using SlimImage.FileSystem;

namespace SlimImage.Elf;

/// <summary>
/// Reads what the dynamic loader reads from an ELF file, through ELFSharp and a stream (never the whole file into
/// memory, never by running the file). ELFSharp is given a <see cref="ProgramHeaderView"/>: the program headers only. Dependencies come from <c>PT_DYNAMIC</c> and its <c>DT_STRTAB</c>, as ld.so
/// finds them, not from section headers, so a binary whose section headers were stripped still resolves.
/// </summary>
public static class ElfReader
{
    private const long DT_NULL = 0, DT_NEEDED = 1, DT_STRTAB = 5, DT_STRSZ = 10, DT_SONAME = 14, DT_RPATH = 15,
        DT_RUNPATH = 29, DT_FLAGS_1 = 0x6ffffffb;
    private const ulong DF_1_NODEFLIB = 0x800, DF_1_PIE = 0x08000000;
    // PATH_MAX: the kernel rejects a longer PT_INTERP anyway.
    private const int MaxInterpreter = 4096;
    private const int MaxStringTable = 64 << 20;

    /// <summary>
    /// Reads <paramref name="hostPath"/>. Bad content is reported in the result (<see cref="ElfReadKind.NotElf"/>,
    /// <see cref="ElfReadKind.Corrupt"/>); only a file that cannot be opened throws (SLIM2009).
    /// </summary>
    public static ElfReadResult Read(string hostPath)
    {
        FileStream stream;
        try
        {
            stream = HostFile.OpenRead(hostPath, "read for its ELF headers");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SlimException(e, "SLIM2009", hostPath, e.Message);
        }
        using (stream)
        {
            return Read(stream);
        }
    }

    /// <summary>Reads an ELF image from a seekable stream, which stays open and owned by the caller.</summary>
    public static ElfReadResult Read(Stream stream)
    {
        string? damage;
        try
        {
            damage = ElfBounds.Check(stream);
        }
        catch (EndOfStreamException)
        {
            damage = "truncated file";
        }
        if (damage == null) return ElfReadResult.NotElf;
        if (damage.Length > 0) return ElfReadResult.Corrupt(damage);

        IELF elf;
        try
        {
            elf = ELFReader.Load(new ProgramHeaderView(stream), shouldOwnStream: true);
        }
        catch (Exception e)
        {
            // ELFSharp parses untrusted bytes and throws whatever its readers throw on them; any failure here is
            // the file's, not ours.
            return ElfReadResult.Corrupt(e.Message);
        }
        using (elf)
        {
            try
            {
                return elf switch
                {
                    ELF<ulong> e64 => FromSegments(e64.Segments.Select(s => Seg.Of(s, s.Address)).ToList(), elf, stream),
                    ELF<uint> e32 => FromSegments(e32.Segments.Select(s => Seg.Of(s, s.Address)).ToList(), elf, stream),
                    _ => ElfReadResult.Corrupt("unknown ELF class"),
                };
            }
            catch (EndOfStreamException)
            {
                return ElfReadResult.Corrupt("truncated file");
            }
        }
    }

    // Classes, not structs: see Closure/SearchDir.
    private sealed record DynamicEntry(long Tag, ulong Value);

    private sealed record Seg(SegmentType Type, ulong VAddr, ulong Offset, ulong FileSize)
    {
        public static Seg Of<T>(Segment<T> s, ulong vaddr) => new(s.Type, vaddr, (ulong)s.Offset, (ulong)s.FileSize);
    }

    private static ElfReadResult FromSegments(List<Seg> segments, IELF elf, Stream stream)
    {
        var is64 = elf.Class == Class.Bit64;
        var little = elf.Endianess == ELFSharp.Endianess.LittleEndian;
        var info = new ElfInfo
        {
            Is64Bit = is64,
            Machine = (ushort)elf.Machine,
            IsLittleEndian = little,
            Type = elf.Type switch
            {
                FileType.None => ElfFileType.None,
                FileType.Relocatable => ElfFileType.Relocatable,
                FileType.Executable => ElfFileType.Executable,
                FileType.SharedObject => ElfFileType.SharedObject,
                FileType.Core => ElfFileType.Core,
                _ => ElfFileType.Other,
            },
        };

        var interp = segments.FirstOrDefault(s => s.Type == SegmentType.Interpreter);
        if (interp != null)
        {
            if (interp.FileSize > MaxInterpreter) return ElfReadResult.Corrupt("PT_INTERP is longer than PATH_MAX");
            var bytes = ElfBounds.ReadAt(stream, interp.Offset, (int)interp.FileSize);
            var end = Array.IndexOf(bytes, (byte)0);
            info = info with { Interpreter = Encoding.UTF8.GetString(bytes, 0, end < 0 ? bytes.Length : end) };
        }

        var dynamic = segments.FirstOrDefault(s => s.Type == SegmentType.Dynamic);
        if (dynamic == null) return ElfReadResult.Ok(info); // statically linked
        var entrySize = is64 ? 16 : 8;
        var table = ElfBounds.ReadAt(stream, dynamic.Offset, (int)Math.Min(dynamic.FileSize, (ulong)MaxStringTable));
        var fields = new ElfBounds.FieldReader(table, little, is64);
        var entries = new List<DynamicEntry>();
        for (var at = 0; at + entrySize <= table.Length; at += entrySize)
        {
            var tag = (long)fields.Addr(at);
            if (tag == DT_NULL) break;
            entries.Add(new DynamicEntry(tag, fields.Addr(at + entrySize / 2)));
        }
        return ReadDynamic(info, entries, segments, stream);
    }

    private static ElfReadResult ReadDynamic(ElfInfo info, List<DynamicEntry> entries, List<Seg> segments, Stream stream)
    {
        ulong? strtab = null, strsz = null;
        ulong flags1 = 0;
        foreach (var (tag, value) in entries)
        {
            if (tag == DT_STRTAB) strtab = value;
            else if (tag == DT_STRSZ) strsz = value;
            else if (tag == DT_FLAGS_1) flags1 = value;
        }
        info = info with { NoDefaultLib = (flags1 & DF_1_NODEFLIB) != 0, IsPie = (flags1 & DF_1_PIE) != 0 };
        if (!entries.Any(e => e.Tag is DT_NEEDED or DT_SONAME or DT_RPATH or DT_RUNPATH)) return ElfReadResult.Ok(info);
        if (strtab == null || strsz == null) return ElfReadResult.Corrupt("PT_DYNAMIC names strings but has no DT_STRTAB/DT_STRSZ");

        // DT_STRTAB is a virtual address: the PT_LOAD segment that maps it gives its place in the file.
        var load = segments.FirstOrDefault(s => s.Type == SegmentType.Load && s.VAddr <= strtab && strtab - s.VAddr < s.FileSize);
        if (load == null) return ElfReadResult.Corrupt("DT_STRTAB is not inside any PT_LOAD segment");
        var offset = load.Offset + (strtab.Value - load.VAddr);
        var size = Math.Min(strsz.Value, load.FileSize - (strtab.Value - load.VAddr));
        if (size > MaxStringTable) return ElfReadResult.Corrupt("the dynamic string table is implausibly large");
        var strings = ElfBounds.ReadAt(stream, offset, (int)size);

        var needed = new List<string>();
        string? soname = null;
        IReadOnlyList<string>? rpath = null, runpath = null;
        foreach (var (tag, value) in entries)
        {
            if (tag is not (DT_NEEDED or DT_SONAME or DT_RPATH or DT_RUNPATH)) continue;
            if (value >= (ulong)strings.Length) return ElfReadResult.Corrupt($"dynamic tag {tag} points outside DT_STRTAB");
            var end = Array.IndexOf(strings, (byte)0, (int)value);
            var text = Encoding.UTF8.GetString(strings, (int)value, (end < 0 ? strings.Length : end) - (int)value);
            // glibc keeps the last DT_SONAME/DT_RPATH/DT_RUNPATH it sees (l_info[tag] is overwritten) and every DT_NEEDED.
            switch (tag)
            {
                case DT_NEEDED: needed.Add(text); break;
                case DT_SONAME: soname = text; break;
                case DT_RPATH: rpath = text.Split(':'); break;
                case DT_RUNPATH: runpath = text.Split(':'); break;
            }
        }
        return ElfReadResult.Ok(info with { Soname = soname, Needed = needed, RPath = rpath, RunPath = runpath });
    }
}
