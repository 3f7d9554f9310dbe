using SlimImage.Base;
using SlimImage.Pipeline;
using SlimImage.Publish;
using SlimImage.Rootfs;
using SlimImage.Tests.Elf;
using SlimImage.Entries;

namespace SlimImage.Tests.Support;

/// <summary>The <see cref="ImageRequest"/>s tests start from; each test adds what it is about with <c>with</c>.</summary>
internal static class TestRequests
{
    /// <summary>What every request needs, nothing more: no publish files, repository "app", assembly "App".</summary>
    public static ImageRequest Minimal(string publishDirectory, string archivePath) => new()
    {
        PublishDirectory = publishDirectory,
        PublishFiles = [],
        RuntimeIdentifier = "linux-x64",
        AssemblyName = "App",
        ArchivePath = archivePath,
        Repository = "app",
    };

    /// <summary>For tests of single stages: everything under <paramref name="root"/>, invariant, a sysroot of the test's own.</summary>
    public static ImageRequest For(string root, string? sysroot = null) =>
        Minimal(Path.Combine(root, "pub"), Path.Combine(root, "app.tar")) with
        {
            InvariantGlobalization = true,
            Sysroot = sysroot ?? Path.Combine(root, "sys"),
        };

    private const string AppSource = """
        #include <stdio.h>
        int main(int argc, char **argv) { printf("app ran args=%d\n", argc - 1); return 0; }
        """;

    /// <summary>
    /// For the whole pipeline on the build machine: a C program built with gcc as the app, and files standing for the
    /// runtime pack and a NuGet package, on <paramref name="baseName"/>.
    /// </summary>
    public static ImageRequest WholePipeline(ScratchDir dir, string baseName, bool linkLibstdcxx = false)
    {
        var publish = dir.Combine("publish");
        Directory.CreateDirectory(publish);
        // --no-as-needed keeps libstdc++ in DT_NEEDED although the C program uses none of it.
        Gcc.Build(Path.Combine(publish, "app"), AppSource, linkLibstdcxx ? ["-Wl,--no-as-needed", "-lstdc++"] : []);
        return Minimal(publish, dir.Combine("out", "app.tar")) with
        {
            PublishFiles =
            [
                new PublishFile(Path.Combine(publish, "app"), "app", EntryOrigin.App),
                new PublishFile(dir.File("publish/System.Private.CoreLib.dll", "runtime pack file"), "System.Private.CoreLib.dll", EntryOrigin.Runtime),
                new PublishFile(dir.File("publish/Newtonsoft.Json.dll", "package file"), "Newtonsoft.Json.dll", EntryOrigin.Package),
            ],
            AssemblyName = "app",
            InvariantGlobalization = true,
            Base = BaseSource.Parse(baseName),
            Timestamp = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000),
        };
    }
}
