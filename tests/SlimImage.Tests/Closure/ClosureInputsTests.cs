using SlimImage.Closure;
using SlimImage.Diagnostics;
using SlimImage.Elf;
using SlimImage.FileSystem;
using SlimImage.Tests.Elf;
using Xunit;

namespace SlimImage.Tests.Closure;

/// <summary>Publish-output checks, the target, interpreters, dlopen'ed names, and the real build machine.</summary>
public sealed class ClosureInputsTests : IDisposable
{
    private const string Multiarch = "usr/lib/x86_64-linux-gnu";
    private readonly ElfFixture fx = new();
    private readonly List<SlimDiagnostic> diagnostics = [];

    public void Dispose() => fx.Dispose();

    private string Sys => Path.Combine(fx.Root, "sys");

    private LibraryResolver Resolver(IEnumerable<string> inputs, IReadOnlyList<ExtraSoname>? extraSonames = null,
        ElfTarget? target = null, string? sysroot = null) =>
        new(new ClosureRequest
        {
            Sysroot = sysroot ?? Sys,
            PublishDir = Path.Combine(fx.Root, "pub"),
            Inputs = inputs.ToList(),
            ExtraSonames = extraSonames ?? [],
            Target = target,
        }, diagnostics.Add);

    [Fact]
    public void FindsTheHighestIntegerVersionOfTheRightMachine()
    {
        var app = fx.Library("pub/libapp.so");
        fx.Library($"sys/{Multiarch}/libicuuc.so.70", soname: "libicuuc.so.70");
        fx.Library($"sys/{Multiarch}/libicuuc.so.72", soname: "libicuuc.so.72");
        fx.Library($"sys/{Multiarch}/libicuuc.so.72.1", soname: "libicuuc.so.72");
        fx.Library("sys/usr/lib/libicuuc.so.74", soname: "libicuuc.so.74", m32: true);
        fx.Write("sys/usr/lib/libicuuc.so.99", "not a library");

        var resolver = Resolver([app]);

        Assert.Equal("libicuuc.so.72", resolver.FindHighestVersionedSoname("libicuuc.so."));
        Assert.Null(resolver.FindHighestVersionedSoname("libicui18n.so."));
    }

    [Fact]
    public void ExtraSonamesAreResolvedWithTheirClosureAndTheirReason()
    {
        var app = fx.Library("pub/libapp.so");
        fx.Library($"sys/{Multiarch}/libicuuc.so.72", soname: "libicuuc.so.72", needs: ["libicudata.so.72"]);
        fx.Library($"sys/{Multiarch}/libicudata.so.72", soname: "libicudata.so.72");

        var r = Resolver([app], [new ExtraSoname("libicuuc.so.72", "the ICU probe of System.Globalization.Native")]).Resolve();

        Assert.Equal(
            [("libicuuc.so.72", "the ICU probe of System.Globalization.Native"),
             ("libicudata.so.72", "/usr/lib/x86_64-linux-gnu/libicuuc.so.72")],
            r.Libraries.Select(l => (l.Soname, l.NeededBy)));
    }

    [Fact]
    public void ACorruptPublishFileIsSlim2003()
    {
        var lib = fx.Library("pub/libbroken.so");
        File.WriteAllBytes(lib, File.ReadAllBytes(lib)[..200]);

        var ex = Assert.Throws<SlimException>(() => Resolver([lib]).Resolve());

        Assert.Equal("SLIM2003", ex.Code);
        Assert.Contains(lib, ex.Message);
    }

    [Fact]
    public void APublishFileOfAnotherMachineIsSlim2004()
    {
        var app = fx.Program("pub/app");
        var lib32 = fx.Library("pub/lib32.so", m32: true);

        var ex = Assert.Throws<SlimException>(() => Resolver([lib32, app]).Resolve());

        Assert.Equal("SLIM2004", ex.Code);
        Assert.Contains(lib32, ex.Message);
        Assert.Contains("i386 (32-bit)", ex.Message);
        Assert.Contains("x86-64 (64-bit)", ex.Message);
    }

    [Fact]
    public void ANonElfSharedLibraryNameIsAMessageNotAnError()
    {
        var script = fx.Write("pub/libc.so", "/* GNU ld script */\n");
        var app = fx.Library("pub/libapp.so");

        var r = Resolver([script, app]).Resolve();

        Assert.True(r.IsComplete);
        var message = Assert.Single(diagnostics);
        Assert.Equal(("SLIM2005", SlimSeverity.Message), (message.Code, message.Severity));
        Assert.Contains(script, message.Message);
    }

    [Fact]
    public void AnExplicit32BitTargetSearchesTheI386Folders()
    {
        var app = fx.Library("pub/libapp.so", needs: ["libm32.so.1"], m32: true);
        fx.Library($"sys/{Multiarch}/libm32.so.1", soname: "libm32.so.1");
        fx.Library("sys/usr/lib/i386-linux-gnu/libm32.so.1", soname: "libm32.so.1", m32: true);

        var r = Resolver([app], target: new ElfTarget(ElfTarget.EM_386, Is64Bit: false)).Resolve();

        Assert.Equal("/usr/lib/i386-linux-gnu/libm32.so.1", Assert.Single(r.Libraries).LoaderPath);
    }

    [Fact]
    public void TheTargetComesFromTheFirstExecutable()
    {
        var lib = fx.Library("pub/aaa.so");
        var app = fx.Program("pub/zzz");

        Assert.Equal(new ElfTarget(ElfTarget.EM_X86_64, true), Resolver([lib, app]).Target);
    }

    [Fact]
    public void AMissingInterpreterIsSlim2008()
    {
        var app = fx.Program("pub/app", linkerArgs: ["-Wl,--dynamic-linker=/opt/ld/ld-fake.so.1"]);

        var r = Resolver([app]).Resolve();

        Assert.Null(Assert.Single(r.Interpreters).Resolution);
        var ex = Assert.Throws<SlimException>(r.ThrowIfIncomplete);
        Assert.Equal("SLIM2008", ex.Code);
        Assert.Contains("'/opt/ld/ld-fake.so.1' named by 'app'", ex.Message);
    }

    [Fact]
    public void TheInterpretersSonameMeetsNeedsForItWhereverItLives()
    {
        var app = fx.Program("pub/app", needs: ["ld-fake.so.1"], linkerArgs: ["-Wl,--dynamic-linker=/opt/ld/ld-fake.so.1"]);
        fx.Library("sys/opt/ld/ld-fake.so.1", soname: "ld-fake.so.1");

        var r = Resolver([app]).Resolve();

        var interp = Assert.Single(r.Interpreters);
        Assert.Equal(("/opt/ld/ld-fake.so.1", "app"), (interp.Path, interp.NeededBy));
        Assert.Equal("/opt/ld/ld-fake.so.1", interp.Resolution!.RealPath);
        Assert.True(r.IsComplete); // /opt/ld is never searched, but the loader is mapped before anything else
        Assert.Empty(r.Libraries);
    }

    [Fact]
    public void OnTheBuildMachineAProgramNeedsLibcAndTheX8664Interpreter()
    {
        if (!File.Exists("/lib64/ld-linux-x86-64.so.2") || ElfTarget.Host.Machine != ElfTarget.EM_X86_64) return;
        var exe = Gcc.Build(fx.At("pub/hello"), "#include <stdio.h>\nint main(void) { puts(\"hi\"); return 0; }\n", []);

        var r = Resolver([exe], sysroot: "/").Resolve();

        Assert.True(r.IsComplete, string.Join("\n", r.Missing.Select(m => m.ToMessage())));
        var libc = Assert.Single(r.Libraries, l => l.Soname == "libc.so.6");
        Assert.Equal("libc.so.6", libc.Elf.Soname);
        Assert.True(libc.InDefaultDir);
        Assert.Equal("hello", libc.NeededBy);
        Assert.True(File.Exists(libc.HostPath));
        var interp = Assert.Single(r.Interpreters);
        Assert.Equal("/lib64/ld-linux-x86-64.so.2", interp.Path);
        Assert.EndsWith("/ld-linux-x86-64.so.2", interp.Resolution!.RealPath);
        if (new FileInfo("/lib64").LinkTarget is { } lib64)
            Assert.Contains(new SysrootLink("/lib64", lib64), interp.Resolution.Links);
    }
}
