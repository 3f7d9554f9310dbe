using SlimImage.Diagnostics;
using SlimImage.Pipeline;
using SlimImage.Publish;
using SlimImage.Runtime;
using SlimImage.Tests.Elf;
using SlimImage.Tests.Support;
using Xunit;
using SlimImage.Oci;
using SlimImage.Entries;

namespace SlimImage.Tests.Closure;

/// <summary>SlimImageNativeLibrary items and the closure stage's warnings, on a publish folder built with gcc.</summary>
public sealed class NativeChoiceTests : IDisposable
{
    private readonly ElfFixture fx = new();
    private readonly List<SlimDiagnostic> reports = [];

    public NativeChoiceTests()
    {
        fx.Library("sys/lib64/ld-linux-x86-64.so.2", soname: "ld-linux-x86-64.so.2");
        fx.Library("sys/usr/lib/x86_64-linux-gnu/libdep.so.1", soname: "libdep.so.1");
    }

    public void Dispose() => fx.Dispose();

    [Fact]
    public void ItemsAreCheckedAndMatchByFileNameOrPath()
    {
        var byName = NativeLibraryChoice.Parse(" libfoo.so ", "True");
        Assert.Equal(new NativeLibraryChoice("libfoo.so", true), byName);
        Assert.True(byName.Matches("libfoo.so"));
        Assert.True(byName.Matches("runtimes/linux-x64/native/libfoo.so"));
        Assert.False(byName.Matches("libfoo.so.1"));
        var byPath = NativeLibraryChoice.Parse("./sub/libfoo.so", "false");
        Assert.True(byPath.Matches("sub/libfoo.so"));
        Assert.False(byPath.Matches("libfoo.so"));

        var keep = Assert.Throws<SlimException>(() => NativeLibraryChoice.Parse("libfoo.so", "yes"));
        Assert.Equal("SLIM1042", keep.Code);
        Assert.Contains("'libfoo.so' has an unusable Keep", keep.Message);
        foreach (var bad in new[] { "", "/usr/lib/libfoo.so", "../libfoo.so", "a//b.so" })
            Assert.Equal("SLIM1042", Assert.Throws<SlimException>(() => NativeLibraryChoice.Parse(bad, "true")).Code);
    }

    private ClosureOutcome Run(IReadOnlyList<NativeLibraryChoice> choices, params PublishFile[] files)
    {
        var request = TestRequests.For(fx.Root) with { OpenSsl = OpenSslMode.Exclude, NativeLibraries = choices, PublishFiles = files };
        var publish = PublishOutput.Select(files, new PublishOptions(false, false));
        return ClosureStage.Run(request, publish, Platform.FromRuntimeIdentifier("linux-x64"), [], fx.At("scratch/x"), reports.Add);
    }

    private PublishFile Lib(string name, EntryOrigin origin, params string[] needs) =>
        new(fx.Library("pub/" + name, soname: name, needs: needs), name, origin)
        {
            Asset = origin == EntryOrigin.Package ? new PublishAsset("Pkg", "2.0.0", "native") : null,
        };

    [Fact]
    public void KeepFalseLeavesOutKeepTrueInsistsAndAnUnmatchedItemWarns()
    {
        var app = new PublishFile(fx.Program("pub/App", ["libdep.so.1"]), "App", EntryOrigin.App);
        var outcome = Run(
            [new("libextra.so", false), new("libnothere.so", true)],
            app, Lib("libextra.so", EntryOrigin.Package, "libdep.so.1"), Lib("libsasl.so", EntryOrigin.Package, "libsasl2.so.3"));

        Assert.Equal(["App"], outcome.Publish.Kept.Select(f => f.RelativePath));
        Assert.Equal(["libextra.so", "libsasl.so"], outcome.Publish.LeftOut.Select(l => l.File.RelativePath).Order(StringComparer.Ordinal));
        Assert.Contains(reports, r => r.Code == "SLIM1103" && r.Message.Contains("libextra.so") && r.Message.Contains("Keep=\"false\""));
        Assert.Contains(reports, r => r is { Code: "SLIM1043", Severity: SlimSeverity.Warning } && r.Message.Contains("'libnothere.so'"));
        var warning = Assert.Single(reports, r => r.Code == "SLIM2010");
        Assert.Equal(SlimSeverity.Warning, warning.Severity);
        Assert.Contains("'libsasl.so' from NuGet package Pkg 2.0.0 cannot load in the image: it needs libsasl2.so.3", warning.Message);
        Assert.Contains("<SlimImageNativeLibrary Include=\"libsasl.so\" Keep=\"true\" />", warning.Message);

        var kept = Assert.Throws<SlimException>(() => Run([new("libsasl.so", true)], app, Lib("libsasl.so", EntryOrigin.Package, "libsasl2.so.3")));
        Assert.Equal("SLIM2001", kept.Code);
        Assert.Contains("libsasl.so (from NuGet package Pkg 2.0.0)", kept.Message);
    }

    [Fact]
    public void ALibraryInsideABundleThatCannotLoadStaysThereWithAWarningAndTheOthersAreResolved()
    {
        var sasl = File.ReadAllBytes(fx.Library("lib/libvariant_sasl.so", soname: "libvariant_sasl.so", needs: ["libsasl2.so.3"]));
        var plain = File.ReadAllBytes(fx.Library("lib/libplain.so", soname: "libplain.so", needs: ["libdep.so.1"]));
        var deps = """
            { "targets": { ".NETCoreApp,Version=v10.0/linux-x64": { "Pkg/2.0.0": { "native": { "runtimes/linux-x64/native/libvariant_sasl.so": {} } } } },
              "libraries": { "Pkg/2.0.0": { "type": "package" } } }
            """u8.ToArray();
        var app = fx.At("pub/App");
        SlimImage.Tests.Publish.BundleWriter.Write(app, File.ReadAllBytes(fx.Program("host/App")),
        [
            ("App.deps.json", SlimImage.Publish.Bundle.BundleFileType.DepsJson, deps, false),
            ("libvariant_sasl.so", SlimImage.Publish.Bundle.BundleFileType.NativeBinary, sasl, true),
            ("libplain.so", SlimImage.Publish.Bundle.BundleFileType.NativeBinary, plain, false),
        ]);

        var outcome = Run([], new PublishFile(app, "App", EntryOrigin.App));

        Assert.Equal(["App"], outcome.Publish.Kept.Select(f => f.RelativePath)); // nothing can be taken out of a bundle
        var warning = Assert.Single(reports, r => r.Code == "SLIM2011");
        Assert.Contains("'libvariant_sasl.so in the bundle App' from NuGet package Pkg 2.0.0 cannot load in the image: it needs libsasl2.so.3", warning.Message);
        // The embedded library that can load is resolved as if it were a publish file: its dependency goes in.
        Assert.Equal(["libdep.so.1"], outcome.Closure.Libraries.Select(l => l.Soname));
        Assert.Equal("libplain.so in the bundle App", outcome.Closure.Libraries[0].NeededBy);
    }
}
