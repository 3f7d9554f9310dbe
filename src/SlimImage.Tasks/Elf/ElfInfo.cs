namespace SlimImage.Elf;

/// <summary>The ELF <c>e_type</c>, reduced to what the closure cares about.</summary>
public enum ElfFileType { None, Relocatable, Executable, SharedObject, Core, Other }

/// <summary>What <see cref="ElfReader.Read(string)"/> found in a file.</summary>
public enum ElfReadKind
{
    /// <summary>No <c>\x7fELF</c> magic: a linker script named libc.so, a text file, a managed assembly.</summary>
    NotElf,
    /// <summary>Starts with the ELF magic but cannot be parsed (truncated, garbage offsets).</summary>
    Corrupt,
    /// <summary>A readable ELF file; <see cref="ElfReadResult.Info"/> is set.</summary>
    Elf,
}

/// <summary>The outcome of reading one file: bad content is a value here, never an exception.</summary>
public sealed record ElfReadResult(ElfReadKind Kind, ElfInfo? Info = null, string? CorruptReason = null)
{
    public static readonly ElfReadResult NotElf = new(ElfReadKind.NotElf);

    public static ElfReadResult Corrupt(string reason) => new(ElfReadKind.Corrupt, CorruptReason: reason);

    public static ElfReadResult Ok(ElfInfo info) => new(ElfReadKind.Elf, info);
}

/// <summary>
/// The parts of an ELF file that the dynamic loader looks at to map it and its dependencies: identity (class,
/// data encoding, machine, type), <c>PT_INTERP</c>, and the <c>PT_DYNAMIC</c> entries that drive the library search.
/// </summary>
public sealed record ElfInfo
{
    /// <summary>ELFCLASS64 (true) or ELFCLASS32.</summary>
    public required bool Is64Bit { get; init; }

    /// <summary><c>e_machine</c>: 62 x86-64, 183 AArch64, 3 i386, 40 ARM (see <see cref="ElfTarget"/>).</summary>
    public required ushort Machine { get; init; }

    public required bool IsLittleEndian { get; init; }

    public required ElfFileType Type { get; init; }

    /// <summary>The <c>PT_INTERP</c> path exactly as written, e.g. <c>/lib64/ld-linux-x86-64.so.2</c>; null if none.</summary>
    public string? Interpreter { get; init; }

    /// <summary><c>DT_SONAME</c>, or null.</summary>
    public string? Soname { get; init; }

    /// <summary><c>DT_NEEDED</c> entries in file order (which is the loader's breadth-first order).</summary>
    public IReadOnlyList<string> Needed { get; init; } = [];

    /// <summary><c>DT_RPATH</c> split on ':'; null when the tag is absent.</summary>
    public IReadOnlyList<string>? RPath { get; init; }

    /// <summary>
    /// <c>DT_RUNPATH</c> split on ':'; null when the tag is absent. Its mere presence (even empty) makes ld.so ignore
    /// this object's <c>DT_RPATH</c>, so absence and emptiness are kept apart.
    /// </summary>
    public IReadOnlyList<string>? RunPath { get; init; }

    /// <summary><c>DF_1_NODEFLIB</c>: the loader skips ld.so.cache hits in default dirs and the default dirs themselves.</summary>
    public bool NoDefaultLib { get; init; }

    /// <summary><c>DF_1_PIE</c>, set by binutils ≥ 2.26 on position-independent executables.</summary>
    public bool IsPie { get; init; }

    public ElfTarget Target => new(Machine, Is64Bit, IsLittleEndian);

    /// <summary>
    /// A program rather than a library: <c>ET_EXEC</c>, or <c>ET_DYN</c> marked <c>DF_1_PIE</c>, or (older linkers)
    /// <c>ET_DYN</c> with an interpreter and no soname. glibc's libc.so.6 has a <c>PT_INTERP</c> too but also a
    /// soname, so it stays a library.
    /// </summary>
    public bool IsExecutable =>
        Type == ElfFileType.Executable || IsPie || (Type == ElfFileType.SharedObject && Interpreter != null && Soname == null);
}
