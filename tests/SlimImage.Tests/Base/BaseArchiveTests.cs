using System.Formats.Tar;
using System.Text;
using SlimImage.Base;
using SlimImage.Diagnostics;
using SlimImage.Pipeline;
using SlimImage.Tests.Support;
using Xunit;
using SlimImage.Oci;
using SlimImage.Entries;

namespace SlimImage.Tests.Base;

/// <summary>Reading base archives made by umoci and skopeo: forms, platforms, and damaged or wrong files.</summary>
public class BaseArchiveTests : IDisposable
{
    private static readonly Platform Amd64 = Platform.FromRuntimeIdentifier("linux-x64");
    private readonly ScratchDir dir = new();

    public void Dispose() => dir.Dispose();

    private static LoadedBase Load(string archive, string scratch, Platform? platform = null)
    {
        using var image = ImageArchiveReader.Read(archive, platform ?? Amd64);
        return BaseLoader.Load(image, scratch, _ => { }, CancellationToken.None);
    }

    [Fact]
    public void EachArchiveFormGivesTheSameLayersFilesAndConfig()
    {
        var b = TestBase.Build(dir.Combine("base"));
        var oci = Load(b.OciArchive, dir.Combine("s1"));
        var docker = Load(b.DockerArchive, dir.Combine("s2"));
        var zstd = Load(b.ZstdArchive, dir.Combine("s3"));

        Assert.Equal(b.LayerDigests, oci.Layers.Select(l => l.Digest.ToString()));
        Assert.All(oci.Layers, l => Assert.Equal(MediaTypes.LayerGzip, l.MediaType));
        Assert.Equal(b.DiffIds, docker.Layers.Select(l => l.Digest.ToString()));
        Assert.All(docker.Layers, l => Assert.Equal(MediaTypes.Layer, l.MediaType));
        Assert.All(zstd.Layers, l => Assert.Equal(MediaTypes.LayerZstd, l.MediaType));
        foreach (var loaded in new[] { oci, docker, zstd })
        {
            Assert.Equal(b.DiffIds, loaded.Layers.Select(l => l.DiffId.ToString()));
            // Byte for byte: the blob file is what the digest names.
            Assert.All(loaded.Layers, l => Assert.Equal(l.Digest, Digest.Of(File.ReadAllBytes(l.BlobPath))));
            Assert.Equal(EntryKindOf(loaded, "/opt/greeting.txt"), EntryKind.File);
            Assert.Null(loaded.Files.Get("/opt/removed.txt")); // the whiteout applied
            Assert.Contains(TestBase.BaseUserLine, Encoding.UTF8.GetString(loaded.Files.Content("/etc/passwd")!));
            Assert.Contains("GREETING=hello-from-base", loaded.Config.Env);
            Assert.Equal(["/bin/false"], loaded.Config.Cmd);
            Assert.Equal(3, loaded.History.Count(h => !h.EmptyLayer));
        }
        // For the base.name and base.digest labels: a docker-archive has a name (RepoTags) and no manifest; an OCI
        // archive has a manifest digest, and its ref.name only when that names an image rather than a bare tag.
        Assert.Equal("docker.io/library/base:latest", docker.ImageName); // as skopeo writes RepoTags
        Assert.Null(docker.ManifestDigest);
        Assert.Null(oci.ImageName);
        var manifest = Repo.Run("skopeo", ["inspect", "oci-archive:" + b.OciArchive], timeoutSeconds: 120).EnsureSuccess().Output;
        Assert.Equal(System.Text.Json.JsonDocument.Parse(manifest).RootElement.GetProperty("Digest").GetString(), oci.ManifestDigest.ToString());
    }

    private static EntryKind? EntryKindOf(LoadedBase b, string path) => b.Files.Get(path)?.Kind;

    [Fact]
    public void ADockerArchiveWithGzipLayersIsHashedToItsDigests()
    {
        var b = TestBase.Build(dir.Combine("base"));
        // docker load takes gzip layer files too: make such an archive from the OCI one's blobs.
        var docker = dir.Combine("gzip-docker.tar");
        using (var output = File.Create(docker))
        using (var writer = new TarWriter(output))
        {
            using var reader = new TarReader(File.OpenRead(b.OciArchive));
            string? config = null;
            while (reader.GetNextEntry(copyData: true) is { } e)
            {
                if (e.Name is "index.json" or "oci-layout" || e.EntryType != TarEntryType.RegularFile) continue;
                if (e.Length < 4096 && e.DataStream != null)
                {
                    var text = new StreamReader(e.DataStream).ReadToEnd();
                    if (text.Contains("\"rootfs\"")) config = e.Name;
                    e.DataStream.Position = 0;
                }
                writer.WriteEntry(e);
            }
            var manifest = $$"""[{"Config":"{{config}}","RepoTags":["base:gz"],"Layers":[{{string.Join(",", b.LayerDigests.Select(d => $"\"blobs/sha256/{d[7..]}\""))}}]}]""";
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "manifest.json") { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(manifest)) });
        }
        var loaded = Load(docker, dir.Combine("s"));
        Assert.Equal(b.LayerDigests, loaded.Layers.Select(l => l.Digest.ToString()));
        Assert.All(loaded.Layers, l => Assert.Equal(MediaTypes.LayerGzip, l.MediaType));
    }

    [Fact]
    public void TheImageOfTheRuntimeIdentifiersPlatformIsChosen()
    {
        var b = TestBase.Build(dir.Combine("base"));
        Repo.Run("umoci", ["config", "--image", b.Layout + ":base", "--tag", "arm", "--architecture", "arm64"]).EnsureSuccess();
        var multi = dir.Combine("multi.tar");
        TarFile.CreateFromDirectory(b.Layout, multi, includeBaseDirectory: false);

        Assert.Equal(b.DiffIds, Load(multi, dir.Combine("s1")).Layers.Select(l => l.DiffId.ToString()));
        using (var arm = ImageArchiveReader.Read(multi, Platform.FromRuntimeIdentifier("linux-arm64")))
            Assert.Equal("arm64", arm.Config.Architecture);
        var none = Assert.Throws<SlimException>(() => ImageArchiveReader.Read(multi, Platform.FromRuntimeIdentifier("linux-arm")));
        Assert.Equal("SLIM3501", none.Code);
        Assert.Contains("linux/arm/v7", none.Message);
        Assert.Contains("linux/amd64, linux/arm64", none.Message);

        // docker save of a multi-platform image keeps the whole index but only its own platform's blobs.
        using (var index = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(b.Layout, "index.json"))))
        {
            var armManifest = index.RootElement.GetProperty("manifests").EnumerateArray()
                .Single(m => m.GetProperty("annotations").GetProperty("org.opencontainers.image.ref.name").GetString() == "arm")
                .GetProperty("digest").GetString()!;
            var partial = dir.Combine("partial");
            Repo.Run("cp", ["-a", b.Layout, partial]).EnsureSuccess();
            File.Delete(Path.Combine(partial, "blobs", "sha256", armManifest[7..]));
            var partialTar = dir.Combine("partial.tar");
            TarFile.CreateFromDirectory(partial, partialTar, includeBaseDirectory: false);
            Assert.Equal(b.DiffIds, Load(partialTar, dir.Combine("s2")).Layers.Select(l => l.DiffId.ToString()));
            Assert.Equal("SLIM3501", Assert.Throws<SlimException>(() => ImageArchiveReader.Read(partialTar, Platform.FromRuntimeIdentifier("linux-arm64"))).Code);
        }

        Repo.Run("umoci", ["config", "--image", b.Layout + ":base", "--tag", "other", "--config.env", "X=1"]).EnsureSuccess();
        var two = dir.Combine("two.tar");
        TarFile.CreateFromDirectory(b.Layout, two, includeBaseDirectory: false);
        var several = Assert.Throws<SlimException>(() => ImageArchiveReader.Read(two, Amd64));
        Assert.Equal("SLIM3502", several.Code);
        Assert.Contains("(base)", several.Message);
        Assert.Contains("(other)", several.Message);
    }

    [Fact]
    public void MissingNotATarCutShortAndDamagedBasesAreClearErrors()
    {
        var b = TestBase.Build(dir.Combine("base"));
        using var scratch = new ScratchDir();
        var missing = Assert.Throws<SlimException>(() => BasePipelineTests.Run(TestRequests.WholePipeline(scratch, dir.Combine("nope.tar"))));
        Assert.Equal("SLIM1003", missing.Code);
        Assert.Contains("nope.tar", missing.Message);

        var text = dir.File("not-a-tar.tar", "just some text, not an archive\n");
        Assert.Equal("SLIM3500", Assert.Throws<SlimException>(() => ImageArchiveReader.Read(text, Amd64)).Code);
        var empty = dir.Combine("no-image.tar");
        TarFile.CreateFromDirectory(dir.Combine("base", "stage1"), empty, includeBaseDirectory: false);
        var noImage = Assert.Throws<SlimException>(() => ImageArchiveReader.Read(empty, Amd64));
        Assert.Equal("SLIM3500", noImage.Code);
        Assert.Contains("neither index.json", noImage.Message);

        var bytes = File.ReadAllBytes(b.OciArchive);
        var cut = dir.File("cut.tar", bytes[..(bytes.Length / 2)]);
        Assert.Contains(Assert.Throws<SlimException>(() => Load(cut, dir.Combine("s1"))).Code, new[] { "SLIM3500", "SLIM3503" });

        // One byte of the biggest layer changed: its digest no longer matches.
        var damaged = dir.Combine("damaged.tar");
        using (var output = File.Create(damaged))
        using (var writer = new TarWriter(output))
        using (var reader = new TarReader(File.OpenRead(b.OciArchive)))
        {
            var biggest = "blobs/sha256/" + b.LayerDigests[1][7..];
            while (reader.GetNextEntry(copyData: true) is { } e)
            {
                if (e.Name.TrimStart('.', '/') == biggest)
                {
                    var data = new MemoryStream();
                    e.DataStream!.CopyTo(data);
                    var content = data.ToArray();
                    content[content.Length / 2] ^= 0xFF;
                    e.DataStream = new MemoryStream(content);
                }
                writer.WriteEntry(e);
            }
        }
        var bad = Assert.Throws<SlimException>(() => Load(damaged, dir.Combine("s2")));
        Assert.Equal("SLIM3503", bad.Code);
        Assert.Contains(b.LayerDigests[1], bad.Message);
    }
}
