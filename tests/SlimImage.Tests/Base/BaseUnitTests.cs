using SlimImage.Pipeline;
using SlimImage.Elf;
using SlimImage.Base;
using SlimImage.Diagnostics;
using SlimImage.Image;
using SlimImage.Rootfs;
using SlimImage.Tests.Support;
using Xunit;
using SlimImage.Oci;
using SlimImage.Entries;

namespace SlimImage.Tests.Base;

public class BaseUnitTests
{
    private static readonly ElfTarget X64 = new(ElfTarget.EM_X86_64, true);

    [Fact]
    public void ConfigMergeKeepsTheBasesEnvLabelsAndPortsAndReplacesWhatSlimImageSets()
    {
        var slim = new ImageConfig
        {
            Architecture = "amd64",
            User = "1654",
            WorkingDir = "/app",
            Entrypoint = ["/app/hello"],
            Env = ["PATH=/usr/bin:/bin", "APP_UID=1654", "GREETING=from-app"],
            Labels = new Dictionary<string, string> { ["org.opencontainers.image.title"] = "hello" },
            ExposedPorts = ["8080/tcp"],
            History = ["SlimImage: app"],
        };
        var baseConfig = new BaseConfig
        {
            User = "base", WorkingDir = "/srv", Entrypoint = ["/srv/run"], Cmd = ["--serve"],
            Env = ["PATH=/opt/bin:/bin", "GREETING=from-base", "LANG=C.UTF-8"],
            Labels = new Dictionary<string, string> { ["vendor"] = "acme", ["org.opencontainers.image.title"] = "base" },
            ExposedPorts = ["9000/tcp"],
            Extra = new Dictionary<string, string> { ["StopSignal"] = "\"SIGTERM\"" },
        };
        var history = new[] { HistoryEntry.Create(DateTimeOffset.UnixEpoch, "base layer") };
        var b = new LoadedBase("base.tar", [], history, baseConfig, BaseFileSystem.Empty, []);

        var merged = ConfigMerge.Merge(slim, b, new HashSet<string> { "PATH" });
        Assert.Equal(["PATH=/opt/bin:/bin", "GREETING=from-app", "LANG=C.UTF-8", "APP_UID=1654"], merged.Env);
        Assert.Equal("acme", merged.Labels["vendor"]);
        Assert.Equal("hello", merged.Labels["org.opencontainers.image.title"]);
        Assert.Equal(["9000/tcp", "8080/tcp"], merged.ExposedPorts);
        Assert.Equal(("1654", "/app"), (merged.User, merged.WorkingDir));
        Assert.Equal(["/app/hello"], merged.Entrypoint);
        Assert.Null(merged.Cmd); // the base's arguments were for the base's program
        Assert.Equal("\"SIGTERM\"", merged.ExtraConfig["StopSignal"]);
        Assert.Equal(history, merged.BaseHistory);

        // A PATH the user sets wins; a base whose settings SlimImage leaves alone keeps them.
        Assert.Contains("PATH=/usr/bin:/bin", ConfigMerge.Merge(slim, b, new HashSet<string>()).Env);
        var unset = ConfigMerge.Merge(slim with { User = null, WorkingDir = null, Entrypoint = [] }, b, new HashSet<string>());
        Assert.Equal(("base", "/srv"), (unset.User, unset.WorkingDir));
        Assert.Equal(["/srv/run"], unset.Entrypoint);
        Assert.Equal(["--serve"], unset.Cmd);
    }

    [Fact]
    public void BaseHistoryIsWrittenAsTheBaseWroteItAndCountsForTheBaseLayers()
    {
        var raw = """{"created":"2020-01-01T00:00:00Z","created_by":"/bin/sh -c #(nop) ADD file:abc in /","comment":"x"}""";
        var empty = """{"created":"2020-01-01T00:00:00Z","created_by":"ENV A=1","empty_layer":true}""";
        using var doc = System.Text.Json.JsonDocument.Parse(empty);
        var layers = new[] { new LayerBlob(Digest.Of("a"u8), Digest.Of("b"u8), 1, 1, MediaTypes.LayerGzip, "/x"),
                             new LayerBlob(Digest.Of("c"u8), Digest.Of("d"u8), 1, 1, MediaTypes.LayerGzip, "/y") };
        var config = new ImageConfig
        {
            Architecture = "amd64",
            BaseHistory = [new HistoryEntry(raw, false), HistoryEntry.From(doc.RootElement)],
            History = ["SlimImage: app"],
            ExtraConfig = new Dictionary<string, string> { ["Volumes"] = """{"/data":{}}""" },
        };
        var json = System.Text.Encoding.UTF8.GetString(ImageBuilder.Build(config, layers).ConfigBytes.Span);
        Assert.Contains("\"history\":[" + raw + "," + empty + ",{\"created\":\"1970-01-01T00:00:00Z\",\"created_by\":\"SlimImage: app\"}]", json);
        Assert.Contains("\"Volumes\":{\"/data\":{}}", json);
        Assert.Throws<ArgumentException>(() => ImageBuilder.Build(config with { History = [] }, layers));
    }

    [Fact]
    public void BaseFileSystemAppliesWhiteoutsOpaqueFoldersAndLinks()
    {
        var fs = new BaseFileSystem();
        fs.BeginLayer();
        fs.Apply("./", EntryKind.Directory, 0x1ED, 0, 0, null);
        fs.Apply("usr/lib/", EntryKind.Directory, 0x1ED, 0, 0, null);
        fs.Apply("usr/lib/libc.so.6", EntryKind.File, 0x1ED, 0, 0, null);
        fs.Apply("lib", EntryKind.Symlink, 0x1FF, 0, 0, "usr/lib");
        fs.Apply("opt/a/one", EntryKind.File, 0x1A4, 0, 0, null);
        fs.Apply("opt/b", EntryKind.File, 0x1A4, 0, 0, null);
        fs.BeginLayer();
        fs.Apply("opt/.wh.b", EntryKind.File, 0, 0, 0, null);
        fs.Apply("opt/a/.wh..wh..opq", EntryKind.File, 0, 0, 0, null);
        fs.Apply("opt/a/two", EntryKind.File, 0x1A4, 0, 0, null);

        Assert.Null(fs.Get("/opt/b"));
        Assert.Null(fs.Get("/opt/a/one"));
        Assert.NotNull(fs.Get("/opt/a/two"));
        Assert.Null(fs.Get("/"));
        Assert.Equal("/usr/lib/libc.so.6", fs.Resolve("/lib/libc.so.6")!.Path);
        Assert.Equal("/usr/lib/x.so", fs.RealParentPath("/lib/x.so"));
        Assert.Equal("/nowhere/x.so", fs.RealParentPath("/nowhere/x.so"));
        // A folder the base does not have yet, under a link of the base: still under the link's target.
        Assert.Equal("/usr/lib/new/y.so", fs.RealParentPath("/lib/new/y.so"));
        Assert.Equal(EntryKind.Symlink, fs.Resolve("/lib", followLast: false)!.Kind);
        Assert.Null(fs.Resolve("/usr/lib/libc.so.6/x"));
    }

    [Fact]
    public void OverlayExtendsPasswdKeepsBaseFoldersAndDropsWhatTheBaseHas()
    {
        var fs = new BaseFileSystem();
        fs.BeginLayer();
        fs.Apply("etc/passwd", EntryKind.File, 0x1A4, 0, 0, null, "root:x:0:0::/root:/bin/sh\nweb:x:33:33::/var/www:/bin/false"u8.ToArray());
        fs.Apply("tmp/", EntryKind.Directory, 0x3FF, 0, 0, null);
        fs.Apply("usr/lib/", EntryKind.Directory, 0x1E8, 0, 0, null);
        fs.Apply("usr/lib/libz.so.1", EntryKind.File, 0x1A4, 0, 0, null);
        fs.Apply("lib", EntryKind.Symlink, 0x1FF, 0, 0, "usr/lib");
        var plan = new RootfsPlan(
        [
            .. EtcFiles.Entries(),
            RootfsEntry.Link("/lib", "usr/lib"),
            RootfsEntry.HostFile("/usr/lib/libz.so.1", "/host/libz.so.1", 0x1A4, EntryOrigin.System, "libz"),
            RootfsEntry.HostFile("/lib/libm.so.6", "/host/libm.so.6", 0x1A4, EntryOrigin.System, "libm"),
        ], [new HostFileUse("/usr/lib/libz.so.1", "/host/libz.so.1", 1, "libz")]);
        var provided = new List<string>();
        var result = BaseOverlay.Apply(plan, fs, "web", provided).Entries.ToDictionary(e => e.Path);

        Assert.Equal(["/usr/lib/libz.so.1"], provided);
        Assert.False(result.ContainsKey("/usr/lib/libz.so.1"));
        Assert.False(result.ContainsKey("/lib")); // the base's link stays, not replaced
        Assert.True(result.ContainsKey("/usr/lib/libm.so.6")); // put where the base's link leads
        Assert.Equal(0x1E8, result["/usr/lib"].Mode); // the base's folder as it is
        Assert.Equal(0x3FF, result["/tmp"].Mode);
        Assert.Equal("root:x:0:0::/root:/bin/sh\nweb:x:33:33::/var/www:/bin/false\napp:x:1654:1654:app:/home/app:/bin/false\n",
            System.Text.Encoding.UTF8.GetString(result["/etc/passwd"].Content!));
        Assert.Equal("SLIM1305", Assert.Throws<SlimException>(() => BaseOverlay.Apply(plan, fs, "nobody", [])).Code);
    }

    [Fact]
    public void BusyboxAppletsAreWhatBusyboxListPrints()
    {
        var busybox = Busybox.Find(null, "/", X64);
        var listed = Repo.Run("busybox", ["--list"]).EnsureSuccess().Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(listed, busybox.Applets);
        Assert.False(busybox.IsDynamic);
        Assert.StartsWith("v1.", busybox.Version);
        Assert.Contains(busybox.Entries(), e => e.Path == "/bin/sh" && e.LinkTarget == "busybox");
    }

    [Fact]
    public void BusyboxThatIsMissingOrUnusableIsAClearError()
    {
        using var dir = new ScratchDir();
        var none = Assert.Throws<SlimException>(() => Busybox.Find(null, dir.Path, X64));
        Assert.Equal("SLIM1301", none.Code);
        Assert.Contains("apt-get install busybox-static", none.Message);
        Assert.Equal("SLIM1302", Assert.Throws<SlimException>(() => Busybox.Find(dir.Combine("bb"), "/", X64)).Code);
        var text = Assert.Throws<SlimException>(() => Busybox.Find(dir.File("bb", "#!/bin/sh\n"), "/", X64));
        Assert.Equal("SLIM1303", text.Code);
        var arm = Assert.Throws<SlimException>(() => Busybox.Find("/bin/busybox", "/", new ElfTarget(ElfTarget.EM_AARCH64, true)));
        Assert.Equal("SLIM1303", arm.Code);
        // An ELF program that is no busybox.
        var notBusybox = Assert.Throws<SlimException>(() => Busybox.Find("/usr/bin/env", "/", X64));
        Assert.Equal("SLIM1304", notBusybox.Code);
    }

    [Fact]
    public void ADynamicBusyboxBringsItsLibraries()
    {
        using var dir = new ScratchDir();
        // A stand-in with busybox's applet table, linked against libc like Debian's non-static busybox.
        var fake = Elf.Gcc.Build(dir.Combine("busybox"), """
            #include <stdio.h>
            const char applet_names[] = "[\0[[\0ash\0cat\0ls\0sh\0";
            int main(void) { puts(applet_names + 6); return 0; }
            """, []);
        var found = Busybox.Find(fake, "/", X64);
        Assert.True(found.IsDynamic);
        Assert.Equal(["[", "[[", "ash", "cat", "ls", "sh"], found.Applets);

        // No ELF file in the publish output: whatever library the image gets, the busybox needed it.
        var request = TestRequests.WholePipeline(dir, "busybox");
        request = request with
        {
            Base = new BaseSource.Busybox(fake),
            PublishFiles = request.PublishFiles.Where(f => f.RelativePath != "app").ToList(),
            Entrypoint = ["/bin/sh"],
        };
        var (result, messages) = BasePipelineTests.Run(request);
        Assert.Contains(messages, m => m.Code == "SLIM1306");
        var view = ArchiveValidator.Validate(result.ArchivePath!);
        Assert.Equal("busybox", view.Layers[0].Find("/bin/sh")!.LinkName);
        Assert.Contains(view.Layers[1].Entries, e => e.Path.EndsWith("/libc.so.6"));
        Assert.Contains(view.Layers[1].Entries, e => e.Path.Contains("ld-linux-x86-64.so.2"));
    }
}
