using SlimImage.Elf;
using SlimImage.Closure;
using SlimImage.Diagnostics;
using SlimImage.Tests.Elf;
using Xunit;
using SlimImage.Entries;

namespace SlimImage.Tests.Closure;

/// <summary>
/// Which native files of the publish output can load: a package's builds for musl, for another machine or needing a
/// library the build machine lacks are left out with the reason; what the app, the runtime or the user needs stays an
/// error that names the package.
/// </summary>
public sealed class NativeTriageTests : IDisposable
{
    private const string Multiarch = "usr/lib/x86_64-linux-gnu";
    private const string Package = "Variants 1.2.3";
    private static readonly ElfTarget X64 = new(62, true);
    private readonly ElfFixture fx = new();

    public NativeTriageTests()
    {
        fx.Library("sys/lib64/ld-linux-x86-64.so.2", soname: "ld-linux-x86-64.so.2");
        fx.Library($"sys/{Multiarch}/libdep.so.1", soname: "libdep.so.1");
        fx.Library($"sys/{Multiarch}/libmid.so.1", soname: "libmid.so.1", needs: ["libgone.so.1"]);
    }

    public void Dispose() => fx.Dispose();

    private NativeInput App(string relative, IEnumerable<string>? needs = null) =>
        new(fx.Program("pub/" + relative, needs), relative, EntryOrigin.App, null);

    private NativeInput Lib(string relative, EntryOrigin origin, IEnumerable<string>? needs = null, bool m32 = false, bool? keep = null) =>
        new(fx.Library("pub/" + relative, soname: relative, needs: needs, m32: m32), relative, origin,
            origin == EntryOrigin.App ? null : Package, keep);

    private TriageResult Triage(params NativeInput[] natives)
    {
        var wrong = NativeTriage.WrongTarget(natives, X64);
        var resolver = new LibraryResolver(new ClosureRequest
        {
            Sysroot = Path.Combine(fx.Root, "sys"),
            PublishDir = Path.Combine(fx.Root, "pub"),
            Inputs = natives.Where(n => wrong.All(w => w.File != n)).Select(n => n.HostPath).ToList(),
            Target = X64,
        });
        return NativeTriage.Resolve(resolver, natives, [], wrong);
    }

    [Fact]
    public void PackageBuildsThatCannotLoadAreLeftOutWithTheirReason()
    {
        var result = Triage(
            App("App", ["libdep.so.1"]),
            Lib("libvariant_musl.so", EntryOrigin.Package, ["libc.musl-x86_64.so.1"]),
            Lib("libvariant_sasl.so", EntryOrigin.Package, ["libsasl2.so.3"]),
            Lib("libvariant_arm.so", EntryOrigin.Package, m32: true),
            Lib("libvariant_deep.so", EntryOrigin.Package, ["libmid.so.1"]),
            Lib("libvariant.so", EntryOrigin.Package, ["libdep.so.1"]));

        Assert.True(result.Closure.IsComplete);
        var why = result.LeftOut.ToDictionary(l => l.File.Name, l => l.Why);
        Assert.Equal(["libvariant_arm.so", "libvariant_deep.so", "libvariant_musl.so", "libvariant_sasl.so"], why.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("musl libc: it needs libc.musl-x86_64.so.1", why["libvariant_musl.so"]);
        Assert.Contains("it needs libsasl2.so.3, which the build machine does not have", why["libvariant_sasl.so"]);
        Assert.Contains("it is built for i386 (32-bit), the image is x86-64", why["libvariant_arm.so"]);
        Assert.Contains("it needs libgone.so.1 (through /usr/lib/x86_64-linux-gnu/libmid.so.1)", why["libvariant_deep.so"]);
        Assert.All(result.LeftOut, l => Assert.Equal("NuGet package " + Package, l.File.Source));
        // What stays is resolved as before; what was left out brings nothing in.
        Assert.Equal(["libdep.so.1"], result.Closure.Libraries.Select(l => l.Soname));
    }

    [Fact]
    public void APackageLibraryTheAppsOwnLibraryNeedsStaysAnErrorNamingThePackage()
    {
        var e = Assert.Throws<SlimException>(() => Triage(
            App("App", ["libnative.so"]),
            Lib("libnative.so", EntryOrigin.App, ["libvariant_sasl.so"]),
            Lib("libvariant_sasl.so", EntryOrigin.Package, ["libsasl2.so.3"])));
        Assert.Equal("SLIM2001", e.Code);
        Assert.Contains("'libsasl2.so.3' needed by 'libvariant_sasl.so (from NuGet package Variants 1.2.3, which the app's own native files need)'", e.Message);
    }

    [Fact]
    public void KeepTrueMakesAMissingDependencyAnErrorAgain()
    {
        var e = Assert.Throws<SlimException>(() => Triage(
            App("App"),
            Lib("libvariant_sasl.so", EntryOrigin.Package, ["libsasl2.so.3"], keep: true)));
        Assert.Equal("SLIM2001", e.Code);
        Assert.Contains("libvariant_sasl.so (from NuGet package Variants 1.2.3)", e.Message);
    }

    [Fact]
    public void TheRuntimesAndTheAppsOwnMissingDependenciesStayErrors()
    {
        var runtime = Assert.Throws<SlimException>(() => Triage(App("App"), Lib("libcoreclr.so", EntryOrigin.Runtime, ["libgone.so.1"])));
        Assert.Equal("SLIM2001", runtime.Code);
        Assert.Contains("needed by 'libcoreclr.so (from the runtime pack Variants 1.2.3)'", runtime.Message);

        var app = Assert.Throws<SlimException>(() => Triage(App("App", ["libmid.so.1"])));
        Assert.Equal("SLIM2001", app.Code);
        Assert.Contains("'libgone.so.1' needed by '/usr/lib/x86_64-linux-gnu/libmid.so.1'", app.Message);

        // A package library of another machine that the user keeps is the SLIM2004 of any such input.
        var wrong = Assert.Throws<SlimException>(() => Triage(App("App"), Lib("libvariant_arm.so", EntryOrigin.Package, m32: true, keep: true)));
        Assert.Equal("SLIM2004", wrong.Code);
    }

    [Fact]
    public void ALibraryNeededOnlyByALeftOutOneGoesToo()
    {
        var result = Triage(
            App("App"),
            Lib("libvariant_top.so", EntryOrigin.Package, ["libvariant_bottom.so"]),
            Lib("libvariant_bottom.so", EntryOrigin.Package, ["libsasl2.so.3"]));
        Assert.Equal(["libvariant_bottom.so", "libvariant_top.so"], result.LeftOut.Select(l => l.File.Name).Order(StringComparer.Ordinal));
        Assert.True(result.Closure.IsComplete);
    }
}
