using System.Diagnostics;
using System.Formats.Tar;
using SlimImage.Base;
using SlimImage.Diagnostics;
using SlimImage.Pipeline;
using SlimImage.Tests.Base;
using SlimImage.Tests.Support;
using Xunit;
using SlimImage.Entries;

namespace SlimImage.Tests.Hostile;

/// <summary>
/// Base image archives made to hurt the build machine: decompression bombs, a cancel inside one huge entry, names and
/// hard links that leave the image root, a loader link that dangles or loops. Each runs the real pipeline on a real
/// program, then checks that nothing beside the output folder changed and that the next normal build is right.
/// </summary>
public class BaseLayerTests
{
    private sealed class Setup : IDisposable
    {
        public readonly ScratchDir Dir = new();
        public readonly Sentinel Sentinel;
        public readonly ImageRequest Normal;

        public Setup()
        {
            Sentinel = new Sentinel(Dir.Combine("sentinel"));
            Normal = TestRequests.WholePipeline(Dir, "scratch");
        }

        public string Out => Path.GetDirectoryName(Normal.ArchivePath)!;

        public ImageRequest On(string baseArchive) => Normal with { Base = BaseSource.Parse(baseArchive) };

        /// <summary>Nothing changed beside the output, the output holds no half-written file, and a normal build works.</summary>
        public void AssertHarmless(bool archiveExpected)
        {
            Sentinel.AssertUntouched();
            Assert.Equal(archiveExpected ? [Path.GetFileName(Normal.ArchivePath)] : [],
                Directory.Exists(Out) ? Directory.EnumerateFileSystemEntries(Out).Select(Path.GetFileName).ToList() : []);
            var (result, messages) = BasePipelineTests.Run(Normal);
            Assert.DoesNotContain(messages, m => m.Severity == SlimSeverity.Warning);
            Assert.NotNull(ArchiveValidator.Validate(result.ArchivePath!).Files["/app/app"]);
        }

        public void Dispose() => Dir.Dispose();
    }

    [Theory]
    [InlineData("gzip", 10L << 30)]
    [InlineData("zstd", 20L << 30)]
    public void ABombStopsAtTheLayerLimitWithSlim3521(string compression, long expandsTo)
    {
        using var s = new Setup();
        var bomb = HostileBaseArchive.Bomb(s.Dir.Combine("bomb.blob"), compression, expandsTo / 2, expandsTo / 2);
        Assert.True(new FileInfo(bomb.BlobPath).Length < 12 << 20, "the bomb must be small compressed");
        var archive = HostileBaseArchive.Write(s.Dir.Combine("bomb.tar"), bomb);

        // Read to its end, the bomb would fail its made-up diff_id (SLIM3503) after many seconds: SLIM3521 is the limit.
        var e = Assert.Throws<SlimException>(() => BasePipelineTests.Run(s.On(archive) with { BaseLayerMaxSize = 64L << 20 }));
        Assert.Equal("SLIM3521", e.Code);
        Assert.Contains(bomb.Digest, e.Message);
        Assert.Contains(archive, e.Message);
        Assert.Contains("64 MiB", e.Message);
        Assert.Contains("SlimImageBaseLayerMaxSize", e.Message);
        s.AssertHarmless(archiveExpected: false);
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("zstd")]
    public void ABombPulledFromARegistryStopsAtTheLimitAndLeavesNothingInTheCache(string compression)
    {
        using var s = new Setup();
        using var registry = Registry.LocalRegistry.Start();
        var bomb = HostileBaseArchive.Bomb(s.Dir.Combine("bomb.blob"), compression, 4L << 30);
        var archive = HostileBaseArchive.Write(s.Dir.Combine("bomb.tar"), bomb);
        Repo.Run("skopeo", ["copy", "--quiet", "--dest-tls-verify=false", "oci-archive:" + archive, $"docker://{registry.Host}/evil/bomb:1"]).EnsureSuccess();
        var settings = Registry.RegistryTestKit.Settings(s.Dir);

        var e = Assert.Throws<SlimException>(() => BasePipelineTests.Run(s.On($"{registry.Host}/evil/bomb:1") with
        {
            Registries = settings, BaseLayerMaxSize = 64L << 20,
        }));
        Assert.Equal("SLIM3521", e.Code);
        Assert.Contains(bomb.Digest, e.Message);
        Assert.Contains($"{registry.Host}/evil/bomb", e.Message);
        // gzip and zstd alike are stopped while the pull checks the diff_id (one decompressor choice for both), so the
        // blob never enters the cache, and no temp file is left behind.
        var cached = Directory.GetFiles(settings.CacheDirectory, "*", SearchOption.AllDirectories);
        Assert.DoesNotContain(cached, f => f.EndsWith(".tmp", StringComparison.Ordinal));
        Assert.DoesNotContain(cached, f => Path.GetFileName(f) == bomb.Digest[7..]);
        s.AssertHarmless(archiveExpected: false);
    }

    [Theory]
    [InlineData('x')]
    [InlineData('L')]
    public void AHugeTarHeaderIsSlim3525BeforeAnyMemoryIsTaken(char type)
    {
        using var s = new Setup();
        var bomb = HostileBaseArchive.MetadataBomb(s.Dir.Combine("meta.blob"), type, 1536L << 20);
        var archive = HostileBaseArchive.Write(s.Dir.Combine("meta.tar"), bomb);
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<SlimException>(() => BasePipelineTests.Run(s.On(archive)));
        Assert.Equal("SLIM3525", e.Code);
        Assert.Contains(bomb.Digest, e.Message);
        Assert.Contains("'PaxHeaders/big' of 1610612736 bytes", e.Message);
        // TarReader alone would have allocated the 1.5 GiB the header claims.
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - allocated < 256 << 20, "the header's data must never be allocated");
        s.AssertHarmless(archiveExpected: false);
    }

    [Fact]
    public void TheHeaderGuardFollowsPaxSizesGnuNamesAndBase256AndLetsTarReaderJudgeTheRest()
    {
        // A PAX header giving the next entry 600 bytes (its own header says 0), a GNU long name, a base-256 size, then a
        // PAX header too large: only the last is refused, so the guard stayed in step with every entry before it.
        var tar = new MemoryStream();
        tar.Write(Entry(HostileBaseArchive.Header("PaxHeaders/a", 12, 'x'), "12 size=600\n"u8.ToArray()));
        tar.Write(Entry(HostileBaseArchive.Header("a", 0), new byte[600]));
        var longName = System.Text.Encoding.ASCII.GetBytes("etc/" + new string('n', 200) + "\0");
        tar.Write(Entry(HostileBaseArchive.Header("././@LongLink", longName.Length, 'L'), longName));
        var base256 = HostileBaseArchive.Header("b", 0);
        base256.AsSpan(124, 12).Clear();
        base256[124] = 0x80;
        base256[135] = 100;
        Checksum(base256);
        tar.Write(Entry(base256, new byte[100]));
        var last = tar.Length;
        tar.Write(HostileBaseArchive.Header("PaxHeaders/c", TarHeaderGuard.MaxMetadata + 1, 'x'));
        tar.Write(new byte[1024]);

        var guard = new TarHeaderGuard(new MemoryStream(tar.ToArray()), (name, size) => new InvalidOperationException($"{name} {size}"));
        var seen = new MemoryStream();
        var e = Assert.Throws<InvalidOperationException>(() => guard.CopyTo(seen, 100));
        Assert.Equal($"PaxHeaders/c {TarHeaderGuard.MaxMetadata + 1}", e.Message);
        Assert.True(seen.Length < last + 512, "the refused header never reached the reader whole");

        // A header with a wrong checksum: the guard steps aside; what follows is TarReader's to judge.
        var bad = HostileBaseArchive.Header("PaxHeaders/d", 1L << 30, 'x');
        bad[0] ^= 1;
        new TarHeaderGuard(new MemoryStream([.. bad, .. new byte[1024]]), (_, _) => new InvalidOperationException()).CopyTo(Stream.Null);

        static byte[] Entry(byte[] header, byte[] data) => [.. header, .. data, .. new byte[(512 - data.Length % 512) % 512]];
        static void Checksum(byte[] h)
        {
            "        "u8.CopyTo(h.AsSpan(148));
            System.Text.Encoding.ASCII.GetBytes(Convert.ToString(h.Sum(b => b), 8).PadLeft(6, '0') + "\0 ").CopyTo(h, 148);
        }
    }

    [Fact]
    public void TheDefaultLimitOf8GiBAppliesWithoutTheProperty()
    {
        using var s = new Setup();
        var bomb = HostileBaseArchive.Bomb(s.Dir.Combine("bomb.blob"), "zstd", (8L << 30) - (1 << 20), 2 << 20);
        var archive = HostileBaseArchive.Write(s.Dir.Combine("bomb.tar"), bomb);
        Assert.Equal(LayerLimit.Default, s.On(archive).BaseLayerMaxSize);
        var e = Assert.Throws<SlimException>(() => BasePipelineTests.Run(s.On(archive)));
        Assert.Equal("SLIM3521", e.Code);
        Assert.Contains("more than 8 GiB", e.Message);
        s.AssertHarmless(archiveExpected: false);
    }

    [Fact]
    public void TheLayerLimitPropertyIsReadAsASize()
    {
        Assert.Equal(LayerLimit.Default, LayerLimit.Parse(""));
        Assert.Equal(16L << 30, LayerLimit.Parse("16G"));
        Assert.Equal(512L << 20, LayerLimit.Parse(" 512 MiB "));
        Assert.Equal(1000, LayerLimit.Parse("1000"));
        foreach (var bad in new[] { "0", "-1", "8X", "G", "1.5G", "99999999999T" })
        {
            var e = Assert.Throws<SlimException>(() => LayerLimit.Parse(bad));
            Assert.Equal("SLIM3520", e.Code);
            Assert.Contains($"'{bad}'", e.Message);
        }
    }

    [Fact]
    public void TheLimitIsSetFromTheProjectAndABadValueIsSlim3520()
    {
        using var dir = new ScratchDir();
        var sentinel = new Sentinel(dir.Combine("sentinel"));
        var archive = HostileBaseArchive.Write(dir.Combine("bomb.tar"), HostileBaseArchive.Bomb(dir.Combine("bomb.blob"), "gzip", 64L << 20));
        var project = TestProject.Create("BombBase", EndToEnd.Programs.Hello, properties: new Dictionary<string, string>
        {
            ["InvariantGlobalization"] = "true",
            ["SlimImage"] = "true",
            ["SlimImageBase"] = archive,
        });
        string[] args = ["-r", "linux-x64", "--self-contained"];

        var bad = project.Publish([.. args, "-p:SlimImageBaseLayerMaxSize=lots"], null);
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Equal(["SLIM3520"], bad.ErrorCodes);
        Assert.Contains("'lots'", bad.Output);
        var capped = project.Publish([.. args, "-p:SlimImageBaseLayerMaxSize=1M", "--no-restore"], null);
        Assert.NotEqual(0, capped.ExitCode);
        Assert.Equal(["SLIM3521"], capped.ErrorCodes);
        Assert.Contains("more than 1 MiB", capped.Output);
        Assert.False(File.Exists(project.DefaultArchive()));
        // 64 MiB is far below the default limit: the same base builds (its zeros file then is in the image).
        project.Publish([.. args, "--no-restore"], null).EnsureSuccess();
        Assert.True(File.Exists(project.DefaultArchive()));
        sentinel.AssertUntouched();
    }

    [Fact]
    public void CancellingInsideOneHugeEntryStopsWithinASecond()
    {
        using var s = new Setup();
        // One entry of almost 8 GiB: several seconds of reading, all of it inside that one entry.
        var bomb = HostileBaseArchive.Bomb(s.Dir.Combine("big.blob"), "gzip", (8L << 30) - (1 << 20));
        var archive = HostileBaseArchive.Write(s.Dir.Combine("big.tar"), bomb);
        using var cancel = new CancellationTokenSource();
        var request = s.On(archive) with { BaseLayerMaxSize = 1L << 40 };
        var run = Task.Run(() => ImagePipeline.Run(request, _ => { }, cancel.Token));
        Thread.Sleep(1500);
        Assert.False(run.IsCompleted, "the read should still be inside the huge entry");
        var clock = Stopwatch.StartNew();
        cancel.Cancel();
        var e = Assert.ThrowsAny<OperationCanceledException>(() => run.GetAwaiter().GetResult());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"stopped {clock.Elapsed} after the cancel");
        Assert.Equal(cancel.Token, e.CancellationToken);
        s.AssertHarmless(archiveExpected: false);
    }

    [Fact]
    public void NamesAndHardLinksThatLeaveTheRootAreWarnedAboutAndNothingEscapes()
    {
        using var s = new Setup();
        var layer = HostileBaseArchive.Layer(s.Dir.Combine("hostile.blob"), w =>
        {
            OrdinaryEntries(w);
            w.WriteEntry(Entry("../../sentinel/keep.txt", "overwritten\n"));
            w.WriteEntry(Entry("/abs/file", "absolute\n"));
            w.WriteEntry(new PaxTarEntry(TarEntryType.HardLink, "etc/evil") { LinkName = "/etc/shadow" });
            w.WriteEntry(new PaxTarEntry(TarEntryType.HardLink, "etc/up") { LinkName = "../../sentinel/sub/passwd" });
            w.WriteEntry(new PaxTarEntry(TarEntryType.HardLink, "etc/nothing") { LinkName = "etc/no-such-file" });
        });
        var archive = HostileBaseArchive.Write(s.Dir.Combine("hostile.tar"), layer);

        var (result, messages) = BasePipelineTests.Run(s.On(archive));
        var names = Assert.Single(messages, m => m.Code == "SLIM3522");
        Assert.Equal(SlimSeverity.Warning, names.Severity);
        Assert.Contains(layer.Digest, names.Message);
        Assert.Contains(archive, names.Message);
        Assert.Contains("'../../sentinel/keep.txt' (with '..')", names.Message);
        Assert.Contains("'/abs/file' (absolute)", names.Message);
        Assert.Contains(" 2 entries", names.Message);
        var links = Assert.Single(messages, m => m.Code == "SLIM3523");
        Assert.Equal(SlimSeverity.Warning, links.Severity);
        Assert.Contains(layer.Digest, links.Message);
        Assert.Contains("'etc/evil' => '/etc/shadow' (absolute target)", links.Message);
        Assert.Contains("'etc/up' => '../../sentinel/sub/passwd' (with '..' target)", links.Message);
        Assert.Contains("'etc/nothing' => 'etc/no-such-file' (no entry before it has that name)", links.Message);
        Assert.DoesNotContain("etc/hard", links.Message); // a hard link to an earlier file is ordinary
        Assert.Equal(2, messages.Count(m => m.Severity == SlimSeverity.Warning));

        // The base's layer goes into the image byte for byte, under SlimImage's own (ArchiveValidator would refuse
        // its names, rightly: skopeo reads the manifest and checks the blobs instead).
        using (var manifest = System.Text.Json.JsonDocument.Parse(Repo.Run("skopeo", ["inspect", "--raw", "oci-archive:" + result.ArchivePath]).EnsureSuccess().Output))
        {
            var digests = manifest.RootElement.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("digest").GetString()).ToList();
            Assert.Equal(layer.Digest, digests[0]);
            Assert.True(digests.Count > 1);
        }
        Repo.Run("skopeo", ["copy", "--quiet", "oci-archive:" + result.ArchivePath, $"oci:{s.Dir.Combine("copy")}:x"]).EnsureSuccess();
        s.AssertHarmless(archiveExpected: true);
    }

    [Fact]
    public void AnOrdinaryBaseGivesNoWarningAndItsImageRuns()
    {
        using var s = new Setup();
        var layer = HostileBaseArchive.Layer(s.Dir.Combine("ordinary.blob"), OrdinaryEntries);
        var (result, messages) = BasePipelineTests.Run(s.On(HostileBaseArchive.Write(s.Dir.Combine("ordinary.tar"), layer)));
        Assert.DoesNotContain(messages, m => m.Severity == SlimSeverity.Warning);
        var run = ImageRunner.Run(result.ArchivePath!, ["x"]);
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("app ran args=1", run.Output);
        s.Sentinel.AssertUntouched();
    }

    [Theory]
    [InlineData("lib", "/nowhere", "the link /lib -> /nowhere leads to /nowhere/x86_64-linux-gnu/ld-linux-x86-64.so.2, which does not exist")]
    [InlineData("lib64", "lib64", "the links on its way loop (last followed: /lib64 -> lib64)")]
    public void ALoaderLinkThatDanglesOrLoopsIsSlim3524(string link, string target, string why)
    {
        using var s = new Setup();
        Assert.Equal("/lib64/ld-linux-x86-64.so.2", SlimImage.Elf.ElfReader.Read(s.Normal.PublishFiles[0].HostPath).Info!.Interpreter);
        var layer = HostileBaseArchive.Layer(s.Dir.Combine("dangling.blob"), w =>
        {
            w.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "etc/"));
            w.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, link) { LinkName = target });
        });
        var archive = HostileBaseArchive.Write(s.Dir.Combine("dangling.tar"), layer);

        var e = Assert.Throws<SlimException>(() => BasePipelineTests.Run(s.On(archive)));
        Assert.Equal("SLIM3524", e.Code);
        Assert.Contains("/lib64/ld-linux-x86-64.so.2", e.Message);
        Assert.Contains(archive, e.Message);
        Assert.Contains(why, e.Message);
        s.AssertHarmless(archiveExpected: false);
    }

    [Fact]
    public void ALoaderLinkSlimImagesLayerReplacesWithAFolderIsNoError()
    {
        var files = new BaseFileSystem();
        files.Apply("lib64", EntryKind.Symlink, 0b111_111_111, 0, 0, "lib64");
        files.Apply("lib", EntryKind.Symlink, 0b111_111_111, 0, 0, "/nowhere");
        var loadedBase = new LoadedBase("loops.tar", [], [], BaseConfig.Empty, files, []);
        var interpreter = new SlimImage.Closure.ProgramInterpreter("/lib64/ld-linux-x86-64.so.2", "/app/app", null, null);
        var loader = RootfsEntry.HostFile("/lib64/ld-linux-x86-64.so.2", "/host/ld.so", 0b111_101_101, EntryOrigin.System);

        // The layer writes the folder /lib64 above its file: at run time that folder replaces the looping link.
        LoaderPath.Check(loadedBase, [interpreter], new RootfsPlan([loader], []));
        var e = Assert.Throws<SlimException>(() => LoaderPath.Check(loadedBase, [interpreter], new RootfsPlan([], [])));
        Assert.Equal("SLIM3524", e.Code);
        Assert.Contains("loops.tar", e.Message);
        // A link to the file through the dangling /lib is still no way to it.
        var viaLib = RootfsEntry.Link("/lib64/ld-linux-x86-64.so.2", "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2");
        e = Assert.Throws<SlimException>(() => LoaderPath.Check(loadedBase, [interpreter], new RootfsPlan([viaLib], [])));
        Assert.Contains("the link /lib -> /nowhere leads to /nowhere/x86_64-linux-gnu/ld-linux-x86-64.so.2, which does not exist", e.Message);
    }

    /// <summary>What real bases have: merged-usr links, absolute symlinks, a hard link to an earlier file.</summary>
    private static void OrdinaryEntries(TarWriter w)
    {
        w.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "usr/"));
        w.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "usr/lib/"));
        w.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "lib") { LinkName = "usr/lib" });
        w.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "bin") { LinkName = "usr/bin" });
        w.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "etc/"));
        w.WriteEntry(Entry("etc/hostname", "base\n"));
        w.WriteEntry(new PaxTarEntry(TarEntryType.HardLink, "etc/hard") { LinkName = "etc/hostname" });
        w.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "etc/mtab") { LinkName = "/proc/self/mounts" });
        w.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "etc/localtime") { LinkName = "/usr/share/zoneinfo/Etc/UTC" });
        // Names too long for a ustar header: a PAX record and a GNU long name.
        w.WriteEntry(Entry("etc/" + new string('p', 150), "pax\n"));
        w.WriteEntry(new GnuTarEntry(TarEntryType.RegularFile, "etc/" + new string('g', 150)) { DataStream = new MemoryStream("gnu\n"u8.ToArray()) });
    }

    private static PaxTarEntry Entry(string name, string content) =>
        new(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content)) };
}
