using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using SlimImage.Diagnostics;
using SlimImage.Incremental;
using SlimImage.Pipeline;
using SlimImage.Tests.Base;
using SlimImage.Tests.Support;
using Xunit;

namespace SlimImage.Tests.Hostile;

/// <summary>
/// What earlier builds left is only used once verified: a damaged layer cache entry is rebuilt, never shipped; an
/// archive changed after it was written (same size, same mtime) is rebuilt; temp files of killed builds are removed
/// by the next build, those of running builds are not. Each test runs the real pipeline through the up-to-date check
/// on a small publish folder (a gcc-built app) and checks that nothing outside the output and cache folders changed.
/// </summary>
public class CacheTrustTests
{
    private sealed class Build : IDisposable
    {
        public readonly ScratchDir Dir = new();
        public readonly ImageRequest Request;
        private readonly Dictionary<string, string> _sentinel;

        public Build()
        {
            Request = TestRequests.WholePipeline(Dir, "scratch") with { IntermediateDirectory = Dir.Combine("obj") };
            Dir.File("sentinel/keep.txt", "not SlimImage's");
            Dir.File("sentinel/.layer-1-000000000000.tmp", "not in SlimImage's folders");
            _sentinel = Snapshot();
        }

        public string Archive => Request.ArchivePath;
        public string Layers => Dir.Combine("obj", "layers");

        public (ImageResult Result, List<SlimDiagnostic> Messages) Run()
        {
            var messages = new List<SlimDiagnostic>();
            RequestValidator.Validate(Request);
            return (IncrementalPipeline.Run(Request, messages.Add, CancellationToken.None), messages);
        }

        /// <summary>Every file and link outside out/ and obj/ with its content: the publish folder and the sentinel.</summary>
        private Dictionary<string, string> Snapshot() => Directory
            .EnumerateFileSystemEntries(Dir.Path, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Where(p => !p.StartsWith(Dir.Combine("out"), StringComparison.Ordinal) && !p.StartsWith(Dir.Combine("obj"), StringComparison.Ordinal))
            .ToDictionary(p => p, p => new FileInfo(p) is { LinkTarget: { } target } ? "-> " + target
                : File.Exists(p) ? Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(p))) + " " + File.GetLastWriteTimeUtc(p).Ticks : "dir");

        public void AssertNothingElseChanged() => Assert.Equal(_sentinel, Snapshot());

        public void Dispose() => Dir.Dispose();
    }

    private static bool Has(List<SlimDiagnostic> messages, string code) => messages.Any(m => m.Code == code);

    /// <summary>The next build with nothing changed: the up-to-date check keeps the archive, which is still right.</summary>
    private static void AssertUpToDate(Build build, byte[] expected, string manifestDigest)
    {
        var (result, messages) = build.Run();
        Assert.True(Has(messages, "SLIM1402"), string.Join("\n", messages));
        Assert.Equal(manifestDigest, result.ManifestDigest);
        Assert.Equal(expected, File.ReadAllBytes(build.Archive));
    }

    [Theory]
    [InlineData("DiffId")]
    [InlineData("UncompressedSize")]
    [InlineData("CopiedEntry")]
    [InlineData("CutShort")]
    public void ADamagedCacheEntryIsRebuiltNeverShipped(string damage)
    {
        using var build = new Build();
        var (first, _) = build.Run();
        var expected = File.ReadAllBytes(build.Archive);
        var entries = Directory.GetFiles(build.Layers, "*.json").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(4, entries.Count); // system, runtime, package, app
        var victim = entries[0];
        var json = JsonNode.Parse(File.ReadAllText(victim))!;
        var other = JsonNode.Parse(File.ReadAllText(entries[1]))!;
        switch (damage)
        {
            case "DiffId": // a valid digest, only not this layer's: what umoci reports as "diffid mismatch"
                json["DiffId"] = other["DiffId"]!.GetValue<string>();
                File.WriteAllText(victim, json.ToJsonString());
                break;
            case "UncompressedSize":
                json["UncompressedSize"] = json["UncompressedSize"]!.GetValue<long>() + 512;
                File.WriteAllText(victim, json.ToJsonString());
                break;
            case "CopiedEntry": // a whole, self-consistent entry of another layer under this key
                File.Copy(entries[1], victim, overwrite: true);
                break;
            case "CutShort":
                File.WriteAllBytes(victim, File.ReadAllBytes(victim)[..40]);
                break;
        }
        // Another run of the pipeline: the archive is gone, so the up-to-date check cannot skip it.
        File.Delete(build.Archive);

        var (result, messages) = build.Run();
        var rejected = messages.Single(m => m.Code == "SLIM3602");
        Assert.Contains(victim, rejected.Message);
        Assert.Contains(messages, m => m.Code == "SLIM3600" && m.Message.StartsWith("Layers: 1 written and 3 reused", StringComparison.Ordinal));
        // The config's diff_ids match the layers (the validator decompresses each), and it is the first build's image.
        ArchiveValidator.Validate(build.Archive);
        Assert.Equal(first.ManifestDigest, result.ManifestDigest);
        Assert.Equal(expected, File.ReadAllBytes(build.Archive));
        Assert.Equal(4, Directory.GetFiles(build.Layers, "*.json").Length);
        Assert.Empty(Directory.EnumerateFileSystemEntries(build.Layers, ".*")); // no temp file of a blob or an entry
        Assert.Empty(Directory.EnumerateFileSystemEntries(build.Layers, "*.tmp"));

        AssertUpToDate(build, expected, first.ManifestDigest);
        build.AssertNothingElseChanged();
    }

    [Fact]
    public void DeletingTheLayerCacheBuildsAgain()
    {
        using var build = new Build();
        var (first, _) = build.Run();
        var expected = File.ReadAllBytes(build.Archive);
        Directory.Delete(build.Layers, recursive: true);

        var (result, messages) = build.Run();
        Assert.False(Has(messages, "SLIM1402"), "the archive was kept although its layer cache was deleted");
        Assert.Contains(messages, m => m.Code == "SLIM3600" && m.Message.StartsWith("Layers: 4 written and 0 reused", StringComparison.Ordinal));
        Assert.Equal(expected, File.ReadAllBytes(build.Archive));
        Assert.Equal(first.ManifestDigest, result.ManifestDigest);
        AssertUpToDate(build, expected, first.ManifestDigest);
        build.AssertNothingElseChanged();
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("one byte")]
    [InlineData("record")]
    public void AnArchiveChangedWithItsSizeAndMtimeKeptIsRebuilt(string change)
    {
        using var build = new Build();
        var (first, _) = build.Run();
        var expected = File.ReadAllBytes(build.Archive);
        var mtime = File.GetLastWriteTimeUtc(build.Archive);
        var record = Path.Combine(build.Request.IntermediateDirectory!, IncrementalPipeline.RecordFileName);
        switch (change)
        {
            case "garbage":
                File.WriteAllBytes(build.Archive, RandomNumberGenerator.GetBytes(expected.Length));
                break;
            case "one byte": // in the middle of a layer blob: still a tar, still the same index
                var bytes = expected.ToArray();
                bytes[bytes.Length / 2] ^= 0x20;
                File.WriteAllBytes(build.Archive, bytes);
                break;
            case "record": // the archive intact, but the record of it says another image
                File.WriteAllText(record, File.ReadAllText(record).Replace(first.ManifestDigest, "sha256:" + new string('0', 64)));
                break;
        }
        File.SetLastWriteTimeUtc(build.Archive, mtime);
        Assert.Equal(expected.Length, new FileInfo(build.Archive).Length);

        var (result, messages) = build.Run();
        Assert.False(Has(messages, "SLIM1402"), "a changed archive or record passed as up to date");
        Assert.Equal(change != "record", Has(messages, "SLIM1403"));
        Assert.Equal(first.ManifestDigest, result.ManifestDigest);
        ArchiveValidator.Validate(build.Archive);
        Assert.Equal(expected, File.ReadAllBytes(build.Archive));

        AssertUpToDate(build, expected, first.ManifestDigest);
        build.AssertNothingElseChanged();
    }

    [Fact]
    public void AnArchiveOnlyTouchedIsHashedOnceAndKept()
    {
        using var build = new Build();
        var (first, _) = build.Run();
        var expected = File.ReadAllBytes(build.Archive);
        var record = Path.Combine(build.Request.IntermediateDirectory!, IncrementalPipeline.RecordFileName);
        string Identity() => File.ReadAllLines(record).Single(l => l.StartsWith("archive-identity ", StringComparison.Ordinal));
        var recorded = Identity();
        Assert.Equal("archive-identity " + FileSystem.FileIdentity.Of(build.Archive), recorded);

        // The same mtime set again: only the ctime moves. The bytes are the same, so the archive stays, and the record
        // takes the new identity so that the next check needs no hash.
        File.SetLastWriteTimeUtc(build.Archive, File.GetLastWriteTimeUtc(build.Archive));
        var (result, messages) = build.Run();
        Assert.True(Has(messages, "SLIM1402"), string.Join("\n", messages));
        Assert.False(Has(messages, "SLIM1403"));
        Assert.Equal(first.ManifestDigest, result.ManifestDigest);
        Assert.NotEqual(recorded, Identity());
        Assert.Equal("archive-identity " + FileSystem.FileIdentity.Of(build.Archive), Identity());
        AssertUpToDate(build, expected, first.ManifestDigest);
        build.AssertNothingElseChanged();
    }

    [Fact]
    public void TheIdentityMovesWithEveryWriteEvenWithSizeAndMtimePutBack()
    {
        using var dir = new ScratchDir();
        var path = dir.File("a.tar", "0123456789");
        var other = dir.File("b.tar", "0123456789");
        var mtime = File.GetLastWriteTimeUtc(path);
        var id = FileSystem.FileIdentity.Of(path);
        Assert.NotNull(id);
        Assert.Equal(id, FileSystem.FileIdentity.Of(path));
        Assert.NotEqual(id, FileSystem.FileIdentity.Of(other));
        Thread.Sleep(10); // the ctime has nanoseconds, but the clock may tick more coarsely
        File.WriteAllText(path, "9876543210");
        File.SetLastWriteTimeUtc(path, mtime);
        Assert.Equal((10L, mtime), (new FileInfo(path).Length, File.GetLastWriteTimeUtc(path)));
        Assert.NotEqual(id, FileSystem.FileIdentity.Of(path));
        Assert.Null(FileSystem.FileIdentity.Of(dir.Combine("missing")));

        // What the sweep may open or remove: this user's regular files and folders, never a FIFO or a link.
        var fifo = dir.Combine("fifo");
        Repo.Run("mkfifo", [fifo]).EnsureSuccess();
        var link = dir.Combine("link");
        File.CreateSymbolicLink(link, path);
        Assert.True(FileSystem.FileIdentity.IsOwn(path, directory: false));
        Assert.True(FileSystem.FileIdentity.IsOwn(dir.Path, directory: true));
        Assert.False(FileSystem.FileIdentity.IsOwn(dir.Path, directory: false));
        Assert.False(FileSystem.FileIdentity.IsOwn(fifo, directory: false));
        Assert.False(FileSystem.FileIdentity.IsOwn(link, directory: false));
        // Someone else's file (as root the test can make one; as another user, root's /etc/hostname is one).
        var foreign = Environment.UserName == "root" ? dir.File("foreign", "x") : "/etc/hostname";
        if (Environment.UserName == "root") Repo.Run("chown", ["12345", foreign]).EnsureSuccess();
        Assert.False(FileSystem.FileIdentity.IsOwn(foreign, directory: false));
    }

    [Fact]
    public void TempFilesOfKilledBuildsGoThoseOfRunningBuildsStay()
    {
        using var build = new Build();
        var (first, _) = build.Run();
        var expected = File.ReadAllBytes(build.Archive);
        var output = Path.GetDirectoryName(build.Archive)!;
        var dead = DeadPid();
        using var running = Process.Start("sleep", "600");
        try
        {
            string Name(string prefix, int pid, string suffix = ".tmp") => $"{prefix}{pid}-{Guid.NewGuid().ToString("N")[..12]}{suffix}";
            var big = RandomNumberGenerator.GetBytes(1 << 20);
            var old = DateTime.UtcNow.AddDays(-2);
            string[] stale =
            [
                build.Dir.File(Path.Combine("out", Name(".app.tar.", dead)), big),
                build.Dir.File(Path.Combine("out", Name(".app.tar.", dead)), []),
                build.Dir.File(Path.Combine("obj", "layers", Name(".layer-", dead)), big),
                build.Dir.File(Path.Combine("obj", "layers", Name(".layer-", dead)), []),
            ];
            foreach (var f in stale) File.SetLastWriteTimeUtc(f, old);
            // A FIFO left under such a name is unlinked without being opened (opening it would block).
            var fifo = Path.Combine(output, Name(".app.tar.", dead));
            Repo.Run("mkfifo", [fifo]).EnsureSuccess();
            // A killed build's scratch folder, with a link out of it that must not be followed.
            var scratch = Path.Combine(output, Name(".slimimage-", dead, ""));
            build.Dir.File(Path.Combine("out", Path.GetFileName(scratch), "base-layer"), big);
            File.CreateSymbolicLink(Path.Combine(scratch, "sentinel"), build.Dir.Combine("sentinel"));

            // Live: a running process's files, and a dead pid's file whose lock is held (a writer in another pid
            // namespace, where that pid means another process), and names that are not SlimImage's temp names.
            string[] kept =
            [
                build.Dir.File(Path.Combine("out", Name(".app.tar.", running.Id)), big),
                build.Dir.File(Path.Combine("obj", "layers", Name(".layer-", running.Id)), big),
                build.Dir.File(Path.Combine("out", Name(".app.tar.", Environment.ProcessId)), big),
                build.Dir.File(Path.Combine("out", ".app.tar.tmp"), big),
                build.Dir.File(Path.Combine("out", $".app.tar.{dead}-ABCDEF012345.tmp"), big),
                build.Dir.File(Path.Combine("out", Name(".other.tar.", dead)), big),
                build.Dir.File(Path.Combine("out", Name("app.tar.", dead)), big),
                build.Dir.File(Path.Combine("out", Name(".app.tar.", dead, ".tmp.keep")), big),
                build.Dir.File(Path.Combine("obj", Name(".layer-", dead)), big),
            ];
            var locked = build.Dir.File(Path.Combine("out", Name(".app.tar.", dead)), big);
            var link = Path.Combine(output, Name(".app.tar.", dead));
            File.CreateSymbolicLink(link, build.Dir.Combine("sentinel", "keep.txt"));
            foreach (var f in kept.Append(locked)) File.SetLastWriteTimeUtc(f, old);
            using var writer = new FileStream(locked, FileMode.Open, FileAccess.Write, FileShare.None);

            var (result, messages) = build.Run();
            foreach (var f in stale.Append(fifo))
                Assert.False(File.Exists(f) || IsFifo(f), f + " was left");
            Assert.False(Directory.Exists(scratch), scratch + " was left");
            foreach (var f in kept.Append(locked))
                Assert.True(File.Exists(f), f + " was removed");
            Assert.NotNull(new FileInfo(link).LinkTarget);
            var removed = messages.Where(m => m.Code == "SLIM3603").Select(m => m.Message).ToList();
            Assert.Equal(2, removed.Count); // one line per folder: the output folder, the layer cache
            Assert.Contains(Path.GetFileName(stale[0]), removed[0]);
            Assert.Contains(Path.GetFileName(scratch), removed[0]);
            Assert.Contains(Path.GetFileName(stale[2]), removed[1]);
            Assert.DoesNotContain(removed, m => m.Contains(Path.GetFileName(locked)) || m.Contains(Path.GetFileName(kept[0])));

            // The build went on as ever, and the next one finds nothing to do.
            Assert.Equal(first.ManifestDigest, result.ManifestDigest);
            Assert.Equal(expected, File.ReadAllBytes(build.Archive));
            AssertUpToDate(build, expected, first.ManifestDigest);
            build.AssertNothingElseChanged();
        }
        finally
        {
            running.Kill();
        }
    }

    /// <summary>The pid of a process that has ended (its /proc entry is gone).</summary>
    private static int DeadPid()
    {
        using var p = Process.Start("true")!;
        p.WaitForExit();
        Assert.False(Directory.Exists("/proc/" + p.Id), "the pid of a finished process was taken again at once");
        return p.Id;
    }

    private static bool IsFifo(string path) =>
        Repo.Run("test", ["-p", path]).ExitCode == 0;
}
