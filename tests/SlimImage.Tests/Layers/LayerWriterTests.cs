using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using SlimImage.Diagnostics;
using SlimImage.Layers;
using SlimImage.Rootfs;
using Xunit;
using SlimImage.Tests.Support;
using SlimImage.Oci;
using SlimImage.Entries;

namespace SlimImage.Tests.Layers;

public class LayerWriterTests
{
    private static readonly DateTimeOffset Epoch = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    private static LayerOptions Options(ScratchDir dir, string sub = "out", LayerCompression? compression = null) =>
        new(Epoch, dir.Combine(sub), compression);

    /// <summary>A small tree on disk: the same bytes wherever it is created.</summary>
    private static List<RootfsEntry> Tree(ScratchDir dir, string root, DateTime fileTimes)
    {
        var files = new (string Image, string Content, int Mode)[]
        {
            ("/app/hello", "#!/bin/sh\necho hello\n", 0b111_101_101),
            ("/app/hello.dll", new string('x', 70_000), 0b110_100_100),
            ("/app/lib/libfoo.so", "ELF?", 0b111_101_101),
            ("/usr/lib/x86_64-linux-gnu/libc.so.6", new string('c', 4096), 0b111_101_101),
        };
        var entries = new List<RootfsEntry>();
        foreach (var (image, content, mode) in files)
        {
            var host = dir.File(Path.Combine(root, image.TrimStart('/')), content);
            File.SetLastWriteTimeUtc(host, fileTimes);
            File.SetLastAccessTimeUtc(host, fileTimes.AddHours(5));
            entries.Add(RootfsEntry.HostFile(image, host, mode, EntryOrigin.App));
        }
        entries.Add(RootfsEntry.Generated("/etc/passwd", "root:x:0:0:root:/root:/bin/false\n"u8.ToArray()));
        entries.Add(RootfsEntry.Dir("/tmp", 0b1_111_111_111));
        entries.Add(RootfsEntry.Link("/lib64", "usr/lib64"));
        return entries;
    }

    [Fact]
    public void SameFilesInShuffledOrderWithOtherMtimesAndAtimesGiveByteIdenticalBlobs()
    {
        using var dir = new ScratchDir();
        var a = Tree(dir, "a", new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var b = Tree(dir, "b", new DateTime(2024, 6, 7, 8, 9, 10, DateTimeKind.Utc));
        b = b.OrderBy(_ => Random.Shared.Next()).ToList();
        b.Reverse();

        var first = LayerWriter.Write(a, Options(dir, "x"));
        var second = LayerWriter.Write(b, Options(dir, "y"));
        var third = LayerWriter.Write(a, Options(dir, "z"));

        Assert.Equal(first.Digest, second.Digest);
        Assert.Equal(first.DiffId, second.DiffId);
        Assert.Equal(File.ReadAllBytes(first.BlobPath), File.ReadAllBytes(second.BlobPath));
        Assert.Equal(File.ReadAllBytes(first.BlobPath), File.ReadAllBytes(third.BlobPath));
    }

    [Fact]
    public void DigestsAndSizesDescribeTheBlobAndTheUncompressedTar()
    {
        using var dir = new ScratchDir();
        var blob = LayerWriter.Write(Tree(dir, "a", DateTime.UtcNow), Options(dir));
        var bytes = File.ReadAllBytes(blob.BlobPath);
        var tar = LayerReader.Uncompressed(blob);

        Assert.Equal("application/vnd.oci.image.layer.v1.tar+gzip", blob.MediaType);
        Assert.Equal("sha256:" + Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant(), blob.Digest.ToString());
        Assert.Equal("sha256:" + Convert.ToHexString(SHA256.HashData(tar)).ToLowerInvariant(), blob.DiffId.ToString());
        Assert.Equal(bytes.Length, blob.Size);
        Assert.Equal(tar.Length, blob.UncompressedSize);
        Assert.Equal($"sha256-{blob.Digest.Hex}.tar.gz", Path.GetFileName(blob.BlobPath));
        // The only file in the folder is the blob: the temp file was renamed, not copied.
        Assert.Equal([Path.GetFileName(blob.BlobPath)], Directory.GetFiles(dir.Combine("out")).Select(Path.GetFileName));
    }

    [Fact]
    public void GzipHeaderIsFixedAndTheTarEndsWithTwoZeroBlocks()
    {
        using var dir = new ScratchDir();
        var blob = LayerWriter.Write(Tree(dir, "a", DateTime.UtcNow), Options(dir));
        var bytes = File.ReadAllBytes(blob.BlobPath);
        // RFC 1952: ID1 ID2 CM=8 FLG=0 MTIME=0 XFL=0 OS=255 — nothing from the machine or the clock.
        Assert.Equal(new byte[] { 0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF }, bytes[..10]);
        var tar = LayerReader.Uncompressed(blob); // GZipStream checks the CRC-32 and ISIZE trailer
        Assert.Equal(0, tar.Length % 512);
        Assert.All(tar[^1024..], b => Assert.Equal(0, b));
        Assert.NotEqual(new byte[512], tar[^1536..^1024]);
    }

    [Fact]
    public void UncompressedLayerHasDigestEqualToDiffId()
    {
        using var dir = new ScratchDir();
        var blob = LayerWriter.Write(Tree(dir, "a", DateTime.UtcNow), Options(dir, compression: LayerCompression.None));
        Assert.Equal("application/vnd.oci.image.layer.v1.tar", blob.MediaType);
        Assert.Equal(blob.Digest, blob.DiffId);
        Assert.Equal(blob.Size, blob.UncompressedSize);
        Assert.EndsWith(".tar", blob.BlobPath);
    }

    [Fact]
    public void EntriesAreSortedByUtf8BytesWithEveryParentDirectory()
    {
        using var dir = new ScratchDir();
        var entries = LayerReader.Entries(LayerWriter.Write(Tree(dir, "a", DateTime.UtcNow), Options(dir)));
        Assert.Equal(
        [
            "app/", "app/hello", "app/hello.dll", "app/lib/", "app/lib/libfoo.so", "etc/", "etc/passwd", "lib64", "tmp/",
            "usr/", "usr/lib/", "usr/lib/x86_64-linux-gnu/", "usr/lib/x86_64-linux-gnu/libc.so.6",
        ], entries.Select(e => e.Name));
        foreach (var d in entries.Where(e => e.Name is "app/" or "usr/lib/" or "etc/"))
        {
            Assert.Equal(TarEntryType.Directory, d.EntryType);
            Assert.Equal((UnixFileMode)0b111_101_101, d.Mode);
            Assert.Equal(0, d.Uid);
            Assert.Equal(0, d.Gid);
        }
    }

    [Fact]
    public void HeadersHoldOnlyTheFixedTimestampNumericOwnersAndNoPaxForShortNames()
    {
        using var dir = new ScratchDir();
        var src = dir.File("src/data", "data");
        var blob = LayerWriter.Write(
        [
            RootfsEntry.Dir("/home/app", 0b111_000_000, 1654, 1654),
            RootfsEntry.HostFile("/home/app/data", src, 0b110_100_000, EntryOrigin.App) with { Uid = 1654, Gid = 1655 },
        ], Options(dir));
        var entries = LayerReader.Entries(blob);
        Assert.All(entries, e =>
        {
            Assert.Equal(TarEntryFormat.Ustar, e.Format);
            Assert.Equal(Epoch, e.ModificationTime);
            Assert.Equal("", ((PosixTarEntry)e).UserName);
            Assert.Equal("", ((PosixTarEntry)e).GroupName);
            Assert.Equal(0, ((PosixTarEntry)e).DeviceMajor);
        });
        var home = entries.Single(e => e.Name == "home/app/");
        Assert.Equal((1654, 1654, (UnixFileMode)0b111_000_000), (home.Uid, home.Gid, home.Mode));
        var data = entries.Single(e => e.Name == "home/app/data");
        Assert.Equal((1654, 1655, (UnixFileMode)0b110_100_000, 4L), (data.Uid, data.Gid, data.Mode, data.Length));
        Assert.Equal("home/", entries[0].Name); // the missing parent, as root
    }

    [Fact]
    public void SetuidAndSetgidAreStrippedAndTheStickyBitKept()
    {
        using var dir = new ScratchDir();
        var src = dir.File("src/su", "x");
        var entries = LayerReader.Entries(LayerWriter.Write(
        [
            RootfsEntry.HostFile("/bin/su", src, 0b100_111_101_101, EntryOrigin.System),   // 04755
            RootfsEntry.Dir("/shared", 0b010_111_111_101),                                  // 02775
            RootfsEntry.Dir("/tmp", 0b001_111_111_111),                                     // 01777
        ], Options(dir)));
        Assert.Equal((UnixFileMode)0b111_101_101, entries.Single(e => e.Name == "bin/su").Mode);
        Assert.Equal((UnixFileMode)0b111_111_101, entries.Single(e => e.Name == "shared/").Mode);
        Assert.Equal((UnixFileMode)0b001_111_111_111, entries.Single(e => e.Name == "tmp/").Mode);
    }

    [Fact]
    public void LongAndNonAsciiNamesUsePaxRecordsAndReadBackExactly()
    {
        using var dir = new ScratchDir();
        var src = dir.File("src/f", "f");
        var path150 = "/app/" + new string('a', 139) + "/f.txt";  // 150 bytes
        var path300 = "/app/" + string.Join('/', Enumerable.Repeat(new string('b', 58), 5)) + "/x";
        var unicode = "/app/données/ファイル.txt";
        var longTarget = string.Join('/', Enumerable.Repeat("..", 60)) + "/target";
        Assert.Equal(150, Encoding.UTF8.GetByteCount(path150));
        Assert.True(Encoding.UTF8.GetByteCount(path300) > 300);

        var entries = LayerReader.Entries(LayerWriter.Write(
        [
            RootfsEntry.HostFile(path150, src, 0b110_100_100, EntryOrigin.App),
            RootfsEntry.HostFile(path300, src, 0b110_100_100, EntryOrigin.App),
            RootfsEntry.HostFile(unicode, src, 0b110_100_100, EntryOrigin.App),
            RootfsEntry.Link("/app/short", longTarget),
            RootfsEntry.Link("/app/ünï", "données"),
        ], Options(dir)));

        var byName = entries.ToDictionary(e => e.Name);
        Assert.Equal(TarEntryFormat.Pax, byName[path150[1..]].Format);
        Assert.Equal(TarEntryFormat.Pax, byName[path300[1..]].Format);
        Assert.Equal(TarEntryFormat.Pax, byName[unicode[1..]].Format);
        Assert.Equal(TarEntryFormat.Pax, byName["app/données/"].Format);
        Assert.Equal(longTarget, byName["app/short"].LinkName);
        Assert.Equal(TarEntryFormat.Pax, byName["app/short"].Format);
        Assert.Equal("données", byName["app/ünï"].LinkName);
        Assert.Equal(TarEntryFormat.Ustar, byName["app/"].Format);
        var pax = (PaxTarEntry)byName[path300[1..]];
        Assert.Equal(path300[1..], pax.ExtendedAttributes["path"]);
        Assert.DoesNotContain("mtime", pax.ExtendedAttributes.Keys);
        Assert.DoesNotContain("atime", pax.ExtendedAttributes.Keys);
        Assert.DoesNotContain("ctime", pax.ExtendedAttributes.Keys);
        Assert.Equal(Epoch, pax.ModificationTime);
        Assert.All(entries.Where(e => e.EntryType == TarEntryType.RegularFile), e => Assert.Equal(1, e.Length));
    }

    [Fact]
    public void SymlinksKeepTheirTargetVerbatim()
    {
        using var dir = new ScratchDir();
        var entries = LayerReader.Entries(LayerWriter.Write(
        [
            RootfsEntry.Link("/lib64/ld-linux-x86-64.so.2", "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"),
            RootfsEntry.Link("/usr/lib/libssl.so.3", "libssl.so.3.0.13"),
        ], Options(dir)));
        var link = entries.Single(e => e.Name == "lib64/ld-linux-x86-64.so.2");
        Assert.Equal(TarEntryType.SymbolicLink, link.EntryType);
        Assert.Equal("/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", link.LinkName);
        Assert.Equal((UnixFileMode)0b111_111_111, link.Mode);
        Assert.Equal("libssl.so.3.0.13", entries.Single(e => e.Name == "usr/lib/libssl.so.3").LinkName);
    }

    [Fact]
    public void IdenticalDuplicatesCollapseEvenFromDifferentHostFiles()
    {
        using var dir = new ScratchDir();
        var one = dir.File("one/libz.so", "same bytes");
        var two = dir.File("two/libz.so", "same bytes");
        var entries = LayerReader.Entries(LayerWriter.Write(
        [
            RootfsEntry.HostFile("/lib/libz.so", one, 0b111_101_101, EntryOrigin.System),
            RootfsEntry.HostFile("/lib/libz.so", two, 0b111_101_101, EntryOrigin.Package),
            RootfsEntry.Generated("/lib/libz.so", "same bytes"u8.ToArray(), 0b111_101_101),
            RootfsEntry.Dir("/lib"),
            RootfsEntry.Dir("/lib"),
            RootfsEntry.Dir("/"),
        ], Options(dir)));
        Assert.Equal(["lib/", "lib/libz.so"], entries.Select(e => e.Name));
    }

    [Fact]
    public void ConflictingDuplicatesAreSlim3003NamingBothSources()
    {
        using var dir = new ScratchDir();
        var one = dir.File("one/appsettings.json", "{}");
        var two = dir.File("two/appsettings.json", "{\"x\":1}");
        var e = Assert.Throws<SlimException>(() => LayerWriter.Write(
        [
            RootfsEntry.HostFile("/app/appsettings.json", one, 0b110_100_100, EntryOrigin.App),
            RootfsEntry.HostFile("/app/appsettings.json", two, 0b110_100_100, EntryOrigin.App),
        ], Options(dir)));
        Assert.Equal("SLIM3003", e.Code);
        Assert.Contains(one, e.Message);
        Assert.Contains(two, e.Message);
        var modes = Assert.Throws<SlimException>(() => LayerWriter.Write(
            [RootfsEntry.Dir("/data", 0b111_101_101), RootfsEntry.Dir("/data", 0b111_000_000)], Options(dir)));
        Assert.Equal("SLIM3003", modes.Code);
        Assert.Empty(dir.AllFiles(dir.Combine("out")));
    }

    [Fact]
    public void AnEntryBelowAFileOrSymlinkIsSlim3004()
    {
        using var dir = new ScratchDir();
        var e = Assert.Throws<SlimException>(() => LayerWriter.Write(
            [RootfsEntry.Link("/lib", "usr/lib"), RootfsEntry.Generated("/lib/x.so", [1])], Options(dir)));
        Assert.Equal("SLIM3004", e.Code);
        Assert.Contains("'/lib'", e.Message);
        Assert.Contains("/lib/x.so", e.Message);
    }

    [Theory]
    [InlineData("app/relative")]
    [InlineData("/app/../etc/passwd")]
    [InlineData("/app/")]
    [InlineData("/app//x")]
    [InlineData("/app/./x")]
    public void PathsThatAreNotNormalisedAbsoluteAreSlim3005(string path)
    {
        using var dir = new ScratchDir();
        var e = Assert.Throws<SlimException>(() => LayerWriter.Write([RootfsEntry.Generated(path, [1])], Options(dir)));
        Assert.Equal("SLIM3005", e.Code);
    }

    [Fact]
    public void AMissingSourceIsSlim3001AndLeavesNoFile()
    {
        using var dir = new ScratchDir();
        var missing = dir.Combine("src", "gone.so");
        var e = Assert.Throws<SlimException>(() => LayerWriter.Write(
        [
            RootfsEntry.Generated("/a/first", new byte[100_000]),
            RootfsEntry.HostFile("/z/gone.so", missing, 0b111_101_101, EntryOrigin.System),
        ], Options(dir)));
        Assert.Equal("SLIM3001", e.Code);
        Assert.Contains(missing, e.Message);
        Assert.Empty(dir.AllFiles());
    }

    [Fact]
    public void CancellationLeavesNoFile()
    {
        using var dir = new ScratchDir();
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => LayerWriter.Write(Tree(dir, "a", DateTime.UtcNow), Options(dir), cts.Token));
        Assert.Empty(dir.AllFiles(dir.Combine("out")));
    }

    [Fact]
    public void AnUnwritableFolderIsSlim3007()
    {
        using var dir = new ScratchDir();
        var blocker = dir.File("blocker", "a file where the folder should be");
        var e = Assert.Throws<SlimException>(() => LayerWriter.Write(
            [RootfsEntry.Generated("/x", [1])], new LayerOptions(Epoch, Path.Combine(blocker, "layers"))));
        Assert.Equal("SLIM3007", e.Code);
    }

    [Theory]
    [InlineData(-1L)]
    [InlineData(8_589_934_592L)]
    public void TimestampsATarHeaderCannotHoldAreSlim3006(long seconds)
    {
        using var dir = new ScratchDir();
        var e = Assert.Throws<SlimException>(() => LayerWriter.Write(
            [RootfsEntry.Generated("/x", [1])], new LayerOptions(DateTimeOffset.FromUnixTimeSeconds(seconds), dir.Path)));
        Assert.Equal("SLIM3006", e.Code);
    }

    [Fact]
    public void LevelChangesTheBlobButNotTheDiffId()
    {
        using var dir = new ScratchDir();
        var tree = Tree(dir, "a", DateTime.UtcNow);
        var fast = LayerWriter.Write(tree, Options(dir, "f", LayerCompression.Of(CompressionFormat.Gzip, 1)));
        var small = LayerWriter.Write(tree, Options(dir, "s", LayerCompression.Of(CompressionFormat.Gzip, 9)));
        Assert.Equal(fast.DiffId, small.DiffId);
        Assert.NotEqual(fast.Digest, small.Digest);
    }
}
