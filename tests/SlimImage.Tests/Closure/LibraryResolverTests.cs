using SlimImage.Elf;
using SlimImage.Closure;
using SlimImage.Diagnostics;
using SlimImage.FileSystem;
using SlimImage.Tests.Elf;
using Xunit;

namespace SlimImage.Tests.Closure;

/// <summary>The loader's search rules, in a fake sysroot ("sys") with a fake publish folder ("pub").</summary>
public sealed class LibraryResolverTests : IDisposable
{
    private const string Multiarch = "usr/lib/x86_64-linux-gnu";
    private readonly ElfFixture fx = new();
    private readonly List<SlimDiagnostic> diagnostics = [];

    public void Dispose() => fx.Dispose();

    private string Sys => Path.Combine(fx.Root, "sys");
    private string Pub => Path.Combine(fx.Root, "pub");

    private LibraryResolver Resolver(IEnumerable<string> inputs, IReadOnlyList<string>? extraDirs = null,
        IReadOnlyList<ExtraSoname>? extraSonames = null, ElfTarget? target = null) =>
        new(new ClosureRequest
        {
            Sysroot = Sys,
            PublishDir = Pub,
            Inputs = inputs.ToList(),
            ExtraLibraryDirs = extraDirs ?? [],
            ExtraSonames = extraSonames ?? [],
            Target = target,
        }, diagnostics.Add);

    private ClosureResult Resolve(params string[] inputs) => Resolver(inputs).Resolve();

    private static ResolvedLibrary Lib(ClosureResult r, string soname) => Assert.Single(r.Libraries, l => l.Soname == soname);

    [Fact]
    public void ResolvesAChainBreadthFirstThroughDefaultAndLdSoConfFolders()
    {
        var app = fx.Library("pub/libapp.so", needs: ["liba.so.1"]);
        fx.Library($"sys/{Multiarch}/liba.so.1", soname: "liba.so.1", needs: ["libb.so.1"]);
        fx.Library("sys/usr/lib/libb.so.1", soname: "libb.so.1", needs: ["libc3.so.1"]);
        fx.Library("sys/opt/extra/libc3.so.1", soname: "libc3.so.1");
        fx.Write("sys/etc/ld.so.conf", "/opt/extra\n");

        var r = Resolve(app);

        Assert.Empty(r.Missing);
        Assert.Equal(["liba.so.1", "libb.so.1", "libc3.so.1"], r.Libraries.Select(l => l.Soname));
        Assert.Equal(
            ["/usr/lib/x86_64-linux-gnu/liba.so.1", "/usr/lib/libb.so.1", "/opt/extra/libc3.so.1"],
            r.Libraries.Select(l => l.LoaderPath));
        Assert.Equal([true, true, false], r.Libraries.Select(l => l.InDefaultDir));
        Assert.Equal(["libapp.so", "/usr/lib/x86_64-linux-gnu/liba.so.1", "/usr/lib/libb.so.1"], r.Libraries.Select(l => l.NeededBy));
        Assert.Equal(Path.Combine(Sys, "opt/extra/libc3.so.1"), Lib(r, "libc3.so.1").HostPath);
        Assert.All(r.Libraries, l => Assert.Equal(LibrarySource.Sysroot, l.Source));
    }

    [Fact]
    public void RunpathOriginOfAPublishFileLeadsIntoThePublishFolder()
    {
        var app = fx.Library("pub/libapp.so", needs: ["libdep.so"],
            linkerArgs: ["-Wl,-rpath,$ORIGIN/lib", "-Wl,--enable-new-dtags"]);
        fx.Library("pub/lib/libdep.so", soname: "libdep.so", needs: ["libsys.so.1"]);
        fx.Library($"sys/{Multiarch}/libsys.so.1", soname: "libsys.so.1");

        var r = Resolve(app); // pub/lib/libdep.so is deliberately not an input

        var dep = Assert.Single(r.FromPublishOutput);
        Assert.Equal(("libdep.so", Path.Combine(Pub, "lib/libdep.so"), "libapp.so"), (dep.Soname, dep.HostPath, dep.NeededBy));
        Assert.Equal("lib/libdep.so", Lib(r, "libsys.so.1").NeededBy);
    }

    [Fact]
    public void RunpathOriginOfASysrootLibraryStaysInTheSysroot()
    {
        var app = fx.Library("pub/libapp.so", needs: ["libx.so.1"]);
        fx.Library("sys/opt/foo/libx.so.1", soname: "libx.so.1", needs: ["liby.so.1"],
            linkerArgs: ["-Wl,-rpath,${ORIGIN}/../deps", "-Wl,--enable-new-dtags"]);
        fx.Library("sys/opt/deps/liby.so.1", soname: "liby.so.1");
        fx.Write("sys/etc/ld.so.conf", "/opt/foo\n");

        var y = Lib(Resolve(app), "liby.so.1");

        Assert.Equal("/opt/foo/../deps/liby.so.1", y.LoaderPath);
        Assert.Equal("/opt/deps/liby.so.1", y.Resolution!.RealPath);
        Assert.False(y.InDefaultDir);
    }

    [Fact]
    public void RpathIsInheritedDownTheLoadChainButRunpathIsNot()
    {
        fx.Library($"sys/{Multiarch}/libmid.so.1", soname: "libmid.so.1", needs: ["libr.so.1"]);
        fx.Library("sys/opt/r/libr.so.1", soname: "libr.so.1");
        var withRpath = fx.Library("pub/rpath/libapp.so", needs: ["libmid.so.1"],
            linkerArgs: ["-Wl,-rpath,/opt/r", "-Wl,--disable-new-dtags"]);
        var withRunpath = fx.Library("pub/runpath/libapp.so", needs: ["libmid.so.1"],
            linkerArgs: ["-Wl,-rpath,/opt/r", "-Wl,--enable-new-dtags"]);

        var inherited = Resolve(withRpath);
        Assert.Empty(inherited.Missing);
        Assert.Equal("/opt/r/libr.so.1", Lib(inherited, "libr.so.1").LoaderPath);

        var notInherited = Resolve(withRunpath);
        var missing = Assert.Single(notInherited.Missing);
        Assert.Equal(("libr.so.1", "/usr/lib/x86_64-linux-gnu/libmid.so.1"), (missing.Soname, missing.NeededBy));
        Assert.DoesNotContain("/opt/r", missing.SearchedDirs);
    }

    [Fact]
    public void AMissingLibraryIsDataWithTheNeederAndTheFoldersSearched()
    {
        var app = fx.Library("pub/libapp.so", needs: ["libnothere.so.9"]);
        var extra = Directory.CreateDirectory(fx.At("extra/x")).FullName;

        var r = Resolver([app], extraDirs: [extra]).Resolve();

        var m = Assert.Single(r.Missing);
        Assert.Equal(("libnothere.so.9", "libapp.so"), (m.Soname, m.NeededBy));
        Assert.Equal([extra, "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib"],
            m.SearchedDirs);
        Assert.StartsWith("SLIM2001: The library 'libnothere.so.9' needed by 'libapp.so' was not found. Searched: " + extra,
            m.ToMessage());
        Assert.False(r.IsComplete);
        Assert.Equal("SLIM2001", Assert.Throws<SlimException>(r.ThrowIfIncomplete).Code);
    }

    [Fact]
    public void SkipsWrongClassAndNonElfCandidatesAndKeepsSearching()
    {
        var app = fx.Library("pub/libapp.so", needs: ["libw.so.1", "libonly32.so.1"]);
        fx.Library("lib32/libw.so.1", soname: "libw.so.1", m32: true);
        fx.Library("lib32/libonly32.so.1", soname: "libonly32.so.1", m32: true);
        fx.Write($"sys/{Multiarch}/libw.so.1", "INPUT(-lw)\n");
        fx.Library("sys/usr/lib/libw.so.1", soname: "libw.so.1");

        var r = Resolver([app], extraDirs: [Path.Combine(fx.Root, "lib32")]).Resolve();

        Assert.Equal("/usr/lib/libw.so.1", Lib(r, "libw.so.1").LoaderPath);
        var m = Assert.Single(r.Missing);
        Assert.Equal("libonly32.so.1", m.Soname);
        Assert.Contains(m.SearchedDirs, d => d.Contains("libonly32.so.1 is i386 (32-bit)"));
    }

    [Fact]
    public void KeepsTheSonamePathAndReportsTheLinkToTheRealFile()
    {
        var app = fx.Library("pub/libapp.so", needs: ["libfoo.so.1"]);
        fx.Library($"sys/{Multiarch}/libfoo.so.1.2.3", soname: "libfoo.so.1");
        fx.Symlink($"sys/{Multiarch}/libfoo.so.1", "libfoo.so.1.2.3");

        var foo = Lib(Resolve(app), "libfoo.so.1");

        Assert.Equal("/usr/lib/x86_64-linux-gnu/libfoo.so.1", foo.LoaderPath);
        Assert.Equal(Path.Combine(Sys, Multiarch, "libfoo.so.1"), foo.HostPath);
        var links = SysrootPath.Resolve(Sys, foo.LoaderPath!)!;
        Assert.Equal("/usr/lib/x86_64-linux-gnu/libfoo.so.1.2.3", links.RealPath);
        Assert.Equal([new SysrootLink("/usr/lib/x86_64-linux-gnu/libfoo.so.1", "libfoo.so.1.2.3")], links.Links);
        Assert.Equal(links, foo.Resolution);
    }

    [Fact]
    public void APublishFileShadowsTheHostByFileNameOrSoname()
    {
        var app = fx.Library("pub/libapp.so", needs: ["libshadow.so.1", "libzz.so.2"]);
        var shadow = fx.Library("pub/libshadow.so.1", soname: "libshadow.so.1", needs: ["libsys.so.1"]);
        var custom = fx.Library("pub/native/libcustom-build.so", soname: "libzz.so.2");
        fx.Library($"sys/{Multiarch}/libshadow.so.1", soname: "libshadow.so.1");
        fx.Library($"sys/{Multiarch}/libzz.so.2", soname: "libzz.so.2");
        fx.Library($"sys/{Multiarch}/libsys.so.1", soname: "libsys.so.1");

        var r = Resolve(app, shadow, custom);

        Assert.Equal(["libsys.so.1"], r.Libraries.Select(l => l.Soname));
        Assert.Equal([("libshadow.so.1", shadow), ("libzz.so.2", custom)], r.FromPublishOutput.Select(p => (p.Soname, p.HostPath)));
    }

    [Fact]
    public void ALoopingCandidateIsSkippedWithAWarning()
    {
        var app = fx.Library("pub/libapp.so", needs: ["libloop.so.1"]);
        fx.Symlink($"sys/{Multiarch}/libloop.so.1", "libloop.so.1");
        fx.Library("sys/usr/lib/libloop.so.1", soname: "libloop.so.1");

        var r = Resolve(app);

        Assert.Equal("/usr/lib/libloop.so.1", Lib(r, "libloop.so.1").LoaderPath);
        var warning = Assert.Single(diagnostics);
        Assert.Equal(("SLIM2002", SlimSeverity.Warning), (warning.Code, warning.Severity));
        Assert.Contains("/usr/lib/x86_64-linux-gnu/libloop.so.1", warning.Message);
    }

    [Fact]
    public void SameInputsInAnyOrderGiveTheSameResult()
    {
        var a = fx.Library("pub/liba.so", needs: ["libs1.so", "libs2.so"]);
        var b = fx.Library("pub/libb.so", needs: ["libs2.so", "libs3.so"]);
        foreach (var s in new[] { "libs1.so", "libs2.so", "libs3.so" }) fx.Library($"sys/usr/lib/{s}", soname: s);

        var one = Resolve(a, b);
        var two = Resolve(b, a, b);

        string Describe(ClosureResult r) => string.Join("\n", r.Libraries.Select(l => $"{l.LoaderPath} <- {string.Join(",", l.Dependents)}"));
        Assert.Equal(Describe(one), Describe(two));
        Assert.Equal(["liba.so", "libb.so"], Lib(one, "libs2.so").Dependents);
    }
}
