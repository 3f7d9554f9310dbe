using SlimImage.Oci;
using System.Formats.Tar;
using System.Text;
using SlimImage.Diagnostics;
using SlimImage.Output;
using SlimImage.Tests.Support;
using Xunit;

namespace SlimImage.Tests.Output;

public class ImageArchiveTests
{
    [Fact]
    public void WrittenArchiveValidatesAndHoldsTheImage()
    {
        using var dir = new ScratchDir();
        var image = TestImages.Build(dir);
        var path = dir.Combine("bin", "hello.tar");

        var result = ImageArchive.Write(path, image, "hello", ["1.0", "latest"], TestImages.Timestamp);
        var view = ArchiveValidator.Validate(path);

        Assert.Equal(image.Manifest.Digest, result.ManifestDigest);
        Assert.Equal(view.ManifestDigest, result.ManifestDigest.ToString());
        Assert.Equal(image.Layers.Sum(l => l.Size), result.CompressedSize);
        Assert.Equal(image.Layers.Sum(l => l.UncompressedSize), result.UncompressedSize);
        Assert.Equal(2, result.LayerCount);
        Assert.Equal(new FileInfo(path).Length, result.ArchiveSize);
        Assert.Equal(["hello:1.0", "hello:latest"], view.RepoTags);
        Assert.Equal(["/app/hello"], view.Entrypoint);
        Assert.Equal("1654", view.User);
        Assert.Equal("/app", view.WorkingDir);
        Assert.Equal(["SlimImage: system files", "SlimImage: app"],
            view.Config.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("created_by").GetString()));

        var files = view.Files;
        Assert.Equal(TarEntryType.RegularFile, files["/app/hello"].Type);
        Assert.Equal("755", files["/app/hello"].ModeOctal);
        Assert.Equal("#!/bin/sh\necho hello from the image\n", Encoding.UTF8.GetString(files["/app/hello"].Content!));
        Assert.Equal((1654, 1654, "700"), (files["/home/app"].Uid, files["/home/app"].Gid, files["/home/app"].ModeOctal));
        Assert.Equal("usr/bin", files["/bin"].LinkName);
        Assert.Equal("1777", files["/tmp"].ModeOctal);
        Assert.All(view.Layers.SelectMany(l => l.Entries), e => Assert.Equal(TestImages.Timestamp, e.ModificationTime));
    }

    [Fact]
    public void UncompressedLayersValidateToo()
    {
        using var dir = new ScratchDir();
        var image = TestImages.Build(dir, compression: LayerCompression.None);
        var path = dir.Combine("plain.tar");
        ImageArchive.Write(path, image, "hello", ["latest"], TestImages.Timestamp);
        var view = ArchiveValidator.Validate(path);
        Assert.All(view.Layers, l => Assert.Equal("application/vnd.oci.image.layer.v1.tar", l.MediaType));
        Assert.All(view.Layers, l => Assert.Equal(l.Digest, l.DiffId));
        Assert.NotNull(view.Files["/app/hello.dll"].Content);
    }

    [Fact]
    public void ArchiveEntriesAreSortedWithFixedHeaders()
    {
        using var dir = new ScratchDir();
        var image = TestImages.Build(dir);
        var path = dir.Combine("hello.tar");
        ImageArchive.Write(path, image, "hello", ["latest"], TestImages.Timestamp);

        var blobs = new[] { image.Config.Digest, image.Manifest.Digest }.Concat(image.Layers.Select(l => l.Digest))
            .Select(d => "blobs/sha256/" + d.Hex).Order(StringComparer.Ordinal);
        using var reader = new TarReader(File.OpenRead(path));
        var entries = new List<TarEntry>();
        while (reader.GetNextEntry() is { } e) entries.Add(e);
        Assert.Equal(["blobs/", "blobs/sha256/", .. blobs, "index.json", "manifest.json", "oci-layout"], entries.Select(e => e.Name));
        Assert.All(entries, e =>
        {
            Assert.Equal(TarEntryFormat.Ustar, e.Format);
            Assert.Equal(TestImages.Timestamp, e.ModificationTime);
            Assert.Equal((0, 0), (e.Uid, e.Gid));
            Assert.Equal(e.EntryType == TarEntryType.Directory ? "755" : "644", Convert.ToString((int)e.Mode, 8));
        });
    }

    [Fact]
    public void IndexAndDockerManifestHaveTheExpectedShape()
    {
        using var dir = new ScratchDir();
        var image = TestImages.Build(dir);
        var path = dir.Combine("hello.tar");
        ImageArchive.Write(path, image, "registry.example.com/team/hello", ["v1"], TestImages.Timestamp);
        var view = ArchiveValidator.Validate(path);

        var index = view.Index.GetRawText();
        Assert.Equal(
            ("{'schemaVersion':2,'mediaType':'application/vnd.oci.image.index.v1+json','manifests':[{'mediaType':'application/vnd.oci.image.manifest.v1+json',"
             + $"'digest':'{image.Manifest.Digest}','size':{image.Manifest.Size},'annotations':{{'io.containerd.image.name':'registry.example.com/team/hello:v1',"
             + "'org.opencontainers.image.ref.name':'v1'}}]}").Replace('\'', '"'),
            index);
        var layers = string.Join(",", image.Layers.Select(l => $"'blobs/sha256/{l.Digest.Hex}'"));
        using var reader = new TarReader(File.OpenRead(path));
        string? dockerManifest = null;
        while (reader.GetNextEntry() is { } e)
            if (e.Name == "manifest.json") dockerManifest = new StreamReader(e.DataStream!).ReadToEnd();
        Assert.Equal(
            ($"[{{'Config':'blobs/sha256/{image.Config.Digest.Hex}','RepoTags':['registry.example.com/team/hello:v1'],'Layers':[{layers}]}}]").Replace('\'', '"'),
            dockerManifest);
    }

    [Fact]
    public void TwoBuildsOfTheSameImageGiveByteIdenticalArchives()
    {
        using var dir = new ScratchDir();
        var first = dir.Combine("one", "hello.tar");
        var second = dir.Combine("two", "hello.tar");
        ImageArchive.Write(first, TestImages.Build(dir, "layers-1"), "hello", ["latest", "1.0"], TestImages.Timestamp);
        ImageArchive.Write(second, TestImages.Build(dir, "layers-2"), "hello", ["latest", "1.0"], TestImages.Timestamp);
        Assert.Equal(File.ReadAllBytes(first), File.ReadAllBytes(second));
    }

    [Fact]
    public void AnExistingArchiveIsReplacedAndNoTempFileRemains()
    {
        using var dir = new ScratchDir();
        var path = dir.File("out/hello.tar", "an old, broken archive");
        ImageArchive.Write(path, TestImages.Build(dir), "hello", ["latest"], TestImages.Timestamp);
        ArchiveValidator.Validate(path);
        Assert.Equal(["hello.tar"], Directory.GetFiles(dir.Combine("out")).Select(Path.GetFileName));
    }

    [Fact]
    public void ACancelledWriteDeletesItsTempFileAndLeavesNoArchive()
    {
        using var dir = new ScratchDir();
        var image = TestImages.Build(dir);
        using var cts = new CancellationTokenSource();
        cts.Cancel(); // observed after the temp file is created, before the first entry
        Assert.ThrowsAny<OperationCanceledException>(() =>
            ImageArchive.Write(dir.Combine("out", "hello.tar"), image, "hello", ["latest"], TestImages.Timestamp, cts.Token));
        Assert.Empty(Directory.GetFileSystemEntries(dir.Combine("out")));
    }

    [Fact]
    public void AMissingLayerBlobIsSlim3001AndLeavesNoArchive()
    {
        using var dir = new ScratchDir();
        var image = TestImages.Build(dir);
        File.Delete(image.Layers[1].BlobPath);
        var e = Assert.Throws<SlimException>(() =>
            ImageArchive.Write(dir.Combine("out", "hello.tar"), image, "hello", ["latest"], TestImages.Timestamp));
        Assert.Equal("SLIM3001", e.Code);
        Assert.Contains(image.Layers[1].BlobPath, e.Message);
        Assert.Empty(dir.AllFiles(dir.Combine("out")));
    }

    [Fact]
    public void ALayerBlobChangedAfterTheBuildIsSlim3008()
    {
        using var dir = new ScratchDir();
        var image = TestImages.Build(dir);
        File.AppendAllText(image.Layers[0].BlobPath, "more");
        var e = Assert.Throws<SlimException>(() =>
            ImageArchive.Write(dir.Combine("out", "hello.tar"), image, "hello", ["latest"], TestImages.Timestamp));
        Assert.Equal("SLIM3008", e.Code);
        Assert.Empty(dir.AllFiles(dir.Combine("out")));
    }

    [Fact]
    public void AFolderThatCannotBeCreatedIsSlim1016()
    {
        using var dir = new ScratchDir();
        var blocker = dir.File("blocker", "a file where the folder should be");
        var e = Assert.Throws<SlimException>(() =>
            ImageArchive.Write(Path.Combine(blocker, "hello.tar"), TestImages.Build(dir), "hello", ["latest"], TestImages.Timestamp));
        Assert.Equal("SLIM1016", e.Code);
        Assert.Contains(Path.Combine(blocker, "hello.tar"), e.Message);
    }

    [Fact]
    public void ValidatorRejectsACorruptedBlobAndMismatchedRepoTags()
    {
        using var dir = new ScratchDir();
        var image = TestImages.Build(dir);
        var path = dir.Combine("hello.tar");
        ImageArchive.Write(path, image, "hello", ["latest"], TestImages.Timestamp);

        var corrupt = Rewrite(path, dir.Combine("corrupt.tar"), "blobs/sha256/" + image.Layers[1].Digest.Hex, b => { b[^5] ^= 1; return b; });
        Assert.Contains("has sha256", Assert.Throws<InvalidDataException>(() => ArchiveValidator.Validate(corrupt)).Message);

        var tags = Rewrite(path, dir.Combine("tags.tar"), "manifest.json",
            b => Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(b).Replace("hello:latest", "hello:other")));
        Assert.Contains("RepoTags", Assert.Throws<InvalidDataException>(() => ArchiveValidator.Validate(tags)).Message);
    }

    private static string Rewrite(string source, string target, string name, Func<byte[], byte[]> change)
    {
        using var reader = new TarReader(File.OpenRead(source));
        using var writer = new TarWriter(File.Create(target), TarEntryFormat.Ustar);
        while (reader.GetNextEntry(copyData: true) is { } e)
        {
            if (e.Name == name)
            {
                using var ms = new MemoryStream();
                e.DataStream!.CopyTo(ms);
                e.DataStream = new MemoryStream(change(ms.ToArray()));
            }
            writer.WriteEntry(e);
        }
        return target;
    }
}
