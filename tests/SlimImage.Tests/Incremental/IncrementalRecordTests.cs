using SlimImage.Incremental;
using SlimImage.Layers;
using SlimImage.Pipeline;
using SlimImage.Publish;
using SlimImage.Rootfs;
using SlimImage.Tests.Support;
using Xunit;
using SlimImage.Oci;
using SlimImage.Entries;

namespace SlimImage.Tests.Incremental;

/// <summary>The pieces of the up-to-date check: the request's fingerprint and the record of the last build.</summary>
public class IncrementalRecordTests
{
    private static ImageRequest Request(ScratchDir dir) => TestRequests.Minimal(dir.Path, dir.Combine("app.tar")) with
    {
        PublishFiles = [new PublishFile(dir.File("publish/app", "v1"), "app", EntryOrigin.App)],
        AssemblyName = "app",
    };

    [Fact]
    public void TheFingerprintFollowsEveryPropertyAndThePublishFilesButNothingElse()
    {
        using var dir = new ScratchDir();
        var request = Request(dir);
        var fingerprint = IncrementalPipeline.Fingerprint(request);
        Assert.Equal(fingerprint, IncrementalPipeline.Fingerprint(request with { Tags = ["latest"] })); // the default, as a new list

        ImageRequest[] changed =
        [
            request with { Tags = ["v2"] },
            request with { Labels = [KeyValuePair.Create("team", "core")] },
            request with { Labels = [KeyValuePair.Create("team", "core2")] },
            request with { GeneratedLabels = new() { Description = "A greeting" } },
            request with { GeneratedLabels = new() { Off = new HashSet<string> { "Created" } } },
            request with { Ports = [new ImagePort(8080, "tcp")] },
            request with { Files = [new ExtraFile("/etc/hosts", "/etc/hosts")] },
            request with { Compression = LayerCompression.Zstd },
            request with { Compression = LayerCompression.Of(CompressionFormat.Gzip, 9) },
            // Same layers, another manifest: switching the format must build the archive again, not report SLIM1402.
            request with { Format = ImageFormat.Docker },
            request with { Timestamp = DateTimeOffset.FromUnixTimeSeconds(1) },
            request with { InvariantGlobalization = true },
            request with { Entrypoint = ["/app/app", "--x"] },
            request with { Entrypoint = ["/app/app--x"] },
        ];
        var all = changed.Select(IncrementalPipeline.Fingerprint).Prepend(fingerprint).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());

        // The publish file rewritten: another size, then the same size at another time.
        File.WriteAllText(request.PublishFiles[0].HostPath, "v22");
        var bigger = IncrementalPipeline.Fingerprint(request);
        File.WriteAllText(request.PublishFiles[0].HostPath, "v33");
        File.SetLastWriteTimeUtc(request.PublishFiles[0].HostPath, new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        Assert.Equal(3, new[] { fingerprint, bigger, IncrementalPipeline.Fingerprint(request) }.Distinct().Count());
    }

    [Fact]
    public void TheRecordReadsBackAsWrittenAndADamagedOneIsIgnored()
    {
        using var dir = new ScratchDir();
        var archive = FileStamp.Of(dir.File("app.tar", "tar"));
        var record = new BuildRecord(new string('a', 64), archive, "sha256:" + new string('c', 64), "2049.0:77 3 1.000000001 2.000000002",
            [FileStamp.Of(dir.File("lib/libc.so.6", "c")), FileStamp.Of(dir.Combine("lib")), FileStamp.Of(dir.Combine("gone with spaces"))],
            "myorg/app", ["1.0", "latest"], "sha256:" + new string('b', 64), 123, 456, 2);
        var path = dir.Combine("obj", "last-build.txt");
        record.Write(path);
        var back = BuildRecord.Read(path)!;
        Assert.Equal(record.Fingerprint, back.Fingerprint);
        Assert.Equal(record.Archive, back.Archive);
        Assert.Equal(record.ArchiveDigest, back.ArchiveDigest);
        Assert.Equal(record.ArchiveIdentity, back.ArchiveIdentity);
        Assert.Equal(record.Dependencies, back.Dependencies);
        Assert.Equal(record.Tags, back.Tags);
        Assert.Equal((record.Repository, record.ManifestDigest, record.CompressedSize, record.UncompressedSize, record.LayerCount),
            (back.Repository, back.ManifestDigest, back.CompressedSize, back.UncompressedSize, back.LayerCount));
        Assert.True(back.Dependencies[0].IsCurrent());
        Assert.Equal(-1, back.Dependencies[2].Size);

        var written = File.ReadAllText(path);
        File.WriteAllText(path, written.Replace("result 2 ", "result two "));
        Assert.Null(BuildRecord.Read(path));
        // Well-formed but changed: another manifest digest, or another archive digest, is caught by the checksum line.
        File.WriteAllText(path, written.Replace(new string('b', 64), new string('d', 64)));
        Assert.Null(BuildRecord.Read(path));
        File.WriteAllText(path, written.Replace(new string('c', 64), new string('d', 64)));
        Assert.Null(BuildRecord.Read(path));
        File.WriteAllText(path, written);
        Assert.NotNull(BuildRecord.Read(path));
        File.WriteAllText(path, "{}");
        Assert.Null(BuildRecord.Read(path));
    }
}
