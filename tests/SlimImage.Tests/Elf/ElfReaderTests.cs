using System.Buffers.Binary;
using SlimImage.Diagnostics;
using SlimImage.Elf;
using Xunit;

namespace SlimImage.Tests.Elf;

public sealed class ElfReaderTests : IDisposable
{
    private readonly ElfFixture fx = new();

    public void Dispose() => fx.Dispose();

    private static ElfInfo ReadElf(string path)
    {
        var result = ElfReader.Read(path);
        Assert.True(result.Kind == ElfReadKind.Elf, $"{path}: {result.Kind} {result.CorruptReason}");
        return result.Info!;
    }

    [Fact]
    public void ReadsAProgramBuiltAgainstTheHostLibc()
    {
        var exe = Gcc.Build(fx.At("hello"), "int main(void) { return 0; }\n", []);

        var info = ReadElf(exe);

        Assert.True(info.Is64Bit);
        Assert.Equal(ElfTarget.EM_X86_64, info.Machine);
        Assert.True(info.IsLittleEndian);
        Assert.Equal("/lib64/ld-linux-x86-64.so.2", info.Interpreter);
        Assert.Contains("libc.so.6", info.Needed);
        Assert.True(info.IsExecutable);
        Assert.Null(info.Soname);
    }

    [Fact]
    public void ReadsSonameNeededInOrderAndRunpath()
    {
        var lib = fx.Library("libx.so.1", soname: "libx.so.1", needs: ["liba.so.1", "libb.so.2"],
            linkerArgs: ["-Wl,-rpath,$ORIGIN/lib:/opt/x", "-Wl,--enable-new-dtags"]);

        var info = ReadElf(lib);

        Assert.Equal(ElfFileType.SharedObject, info.Type);
        Assert.Equal("libx.so.1", info.Soname);
        Assert.Equal(["liba.so.1", "libb.so.2"], info.Needed);
        Assert.Equal(["$ORIGIN/lib", "/opt/x"], info.RunPath);
        Assert.Null(info.RPath);
        Assert.Null(info.Interpreter);
        Assert.False(info.IsExecutable);
    }

    [Fact]
    public void ReadsRpathWithOldDtags()
    {
        var lib = fx.Library("liby.so", linkerArgs: ["-Wl,-rpath,/opt/r", "-Wl,--disable-new-dtags"]);

        var info = ReadElf(lib);

        Assert.Equal(["/opt/r"], info.RPath);
        Assert.Null(info.RunPath);
    }

    [Fact]
    public void Reads32BitObjects()
    {
        var lib = fx.Library("lib32.so.1", soname: "lib32.so.1", needs: ["libdep.so.3"], m32: true);

        var info = ReadElf(lib);

        Assert.False(info.Is64Bit);
        Assert.Equal(ElfTarget.EM_386, info.Machine);
        Assert.Equal("lib32.so.1", info.Soname);
        Assert.Equal(["libdep.so.3"], info.Needed);
        Assert.Equal("i386 (32-bit)", info.Target.ToString());
    }

    [Fact]
    public void ReadsDependenciesFromProgramHeadersWhenSectionHeadersAreGone()
    {
        // ld.so never looks at section headers; a file without them must still resolve.
        var lib = fx.Library("libnosections.so", soname: "libnosections.so", needs: ["libq.so.1"]);
        var bytes = File.ReadAllBytes(lib);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(40), 0); // e_shoff
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(60), 0); // e_shnum
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(62), 0); // e_shstrndx
        File.WriteAllBytes(lib, bytes);

        var info = ReadElf(lib);

        Assert.Equal("libnosections.so", info.Soname);
        Assert.Equal(["libq.so.1"], info.Needed);
    }

    [Theory]
    [InlineData("/* GNU ld script */\nGROUP ( /lib/x86_64-linux-gnu/libc.so.6 )\n")]
    [InlineData("")]
    [InlineData("\u007fEL")]
    public void ReportsFilesWithoutTheMagicAsNotElf(string content)
    {
        var path = fx.Write("libc.so", content);

        Assert.Equal(ElfReadKind.NotElf, ElfReader.Read(path).Kind);
    }

    [Fact]
    public void ReportsTruncatedFilesAsCorrupt()
    {
        var lib = fx.Library("libt.so", needs: ["libq.so.1"]);
        var bytes = File.ReadAllBytes(lib);
        File.WriteAllBytes(lib, bytes[..300]);

        var result = ElfReader.Read(lib);

        Assert.Equal(ElfReadKind.Corrupt, result.Kind);
        Assert.False(string.IsNullOrEmpty(result.CorruptReason));
    }

    [Fact]
    public void ReportsGarbageAfterTheMagicAsCorrupt()
    {
        var path = fx.At("libg.so");
        var garbage = new byte[4096];
        new Random(7).NextBytes(garbage);
        "\u007fELF"u8.CopyTo(garbage);
        garbage[4] = 2;
        garbage[5] = 1;
        garbage[6] = 1;
        File.WriteAllBytes(path, garbage);

        Assert.Equal(ElfReadKind.Corrupt, ElfReader.Read(path).Kind);
    }

    [Fact]
    public void RejectsAHugeSectionSizeWithoutAllocatingIt()
    {
        var lib = fx.Library("libhuge.so");
        var bytes = File.ReadAllBytes(lib);
        var shoff = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(40));
        var shnum = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(60));
        // Make the last section (a string table in every gcc output) claim 2 GiB.
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(shoff + (shnum - 1) * 64 + 32), 0x7fff_0000);
        File.WriteAllBytes(lib, bytes);

        var result = ElfReader.Read(lib);

        Assert.Equal(ElfReadKind.Corrupt, result.Kind);
        Assert.Contains("outside the file", result.CorruptReason);
    }

    [Fact]
    public void ClosesTheFile()
    {
        var lib = fx.Library("libclosed.so");
        ReadElf(lib);

        // .NET on Unix takes an advisory lock per FileShare mode: this fails if the reader left its stream open.
        using var exclusive = new FileStream(lib, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
    }

    [Fact]
    public void AFileThatCannotBeOpenedIsSlim2009()
    {
        var ex = Assert.Throws<SlimException>(() => ElfReader.Read(fx.At("nothing-here.so")));

        Assert.Equal("SLIM2009", ex.Code);
        Assert.Contains("nothing-here.so", ex.Message);
    }
}

public sealed class ProgramHeaderViewTests
{
    [Theory]
    [InlineData("/usr/lib/x86_64-linux-gnu/libc.so.6")]
    [InlineData("/usr/lib/aarch64-linux-gnu/libc.so.6")] // installed by build/test.sh with the arm64 packages
    public void ElfSharpSeesTheFilesSegmentsAndOneNullSectionAndEveryOtherByteIsTheFiles(string path)
    {
        Assert.True(File.Exists(path), $"{path} is missing: build/test.sh installs it");
        using var file = File.OpenRead(path);
        var view = new ProgramHeaderView(file);
        var original = File.ReadAllBytes(path);

        Assert.Equal(original.Length + 64, view.Length);
        var seen = new byte[view.Length];
        view.ReadExactly(seen);
        // e_shoff, e_shentsize, e_shnum, e_shstrndx differ; the rest of the header and the file do not.
        Assert.Equal(original.AsSpan(0, 40).ToArray(), seen[..40]);
        Assert.Equal(original.AsSpan(48, 10).ToArray(), seen[48..58]);
        Assert.Equal(original.AsSpan(64).ToArray(), seen[64..original.Length]);
        Assert.All(seen[original.Length..], b => Assert.Equal(0, b));

        using var full = ELFSharp.ELF.ELFReader.Load<ulong>(path);
        using var viewed = (ELFSharp.ELF.ELF<ulong>)ELFSharp.ELF.ELFReader.Load(new ProgramHeaderView(file), shouldOwnStream: true);
        var section = Assert.Single(viewed.Sections);
        Assert.Equal(ELFSharp.ELF.Sections.SectionType.Null, section.Type);
        Assert.True(full.Sections.Count > 10);
        Assert.Equal(full.Segments.Select(s => (s.Type, s.Offset, s.FileSize)), viewed.Segments.Select(s => (s.Type, s.Offset, s.FileSize)));
        Assert.Equal(full.Machine, viewed.Machine);
    }
}
