using SlimImage.Diagnostics;
using SlimImage.Image;
using SlimImage.Tests.Support;
using Xunit;
using SlimImage.Oci;

namespace SlimImage.Tests.Base;

/// <summary>
/// ContainerImageFormat=Docker on a base image: the base's blobs are reused as they are, under the Docker media type
/// of the same compression; a zstd base, which Docker cannot describe, is SLIM3705 with nothing written.
/// </summary>
public class DockerFormatBaseTests
{
    [Fact]
    public void GzipAndPlainBaseLayersKeepTheirBytesUnderDockerTypesAndTheImageRuns()
    {
        using var dir = new ScratchDir();
        var testBase = TestBase.Build(dir.Combine("base"));
        foreach (var (archive, type, digests) in new[]
                 {
                     (testBase.OciArchive, ImageFormat.DockerLayerGzip, testBase.LayerDigests),
                     // docker-archive layers are plain tars: their digests are the diff_ids.
                     (testBase.DockerArchive, ImageFormat.DockerLayer, testBase.DiffIds),
                 })
        {
            using var scratch = new ScratchDir();
            var (result, _) = BasePipelineTests.Run(TestRequests.WholePipeline(scratch, archive) with { Format = ImageFormat.Docker });
            var view = ArchiveValidator.Validate(result.ArchivePath!);
            Assert.Equal(ImageFormat.DockerManifest, view.Manifest.GetProperty("mediaType").GetString());
            Assert.Equal(digests, view.Layers.Take(3).Select(l => l.Digest));
            Assert.All(view.Layers.Take(3), l => Assert.Equal(type, l.MediaType));
            Assert.All(view.Layers.Skip(3), l => Assert.Equal(ImageFormat.DockerLayerGzip, l.MediaType));

            var run = ImageRunner.Run(result.ArchivePath!, ["x"]);
            Assert.True(run.ExitCode == 0, Path.GetFileName(archive) + ": " + run.Output);
            Assert.Contains("app ran args=1", run.Output);
        }
    }

    [Fact]
    public void AZstdBaseIsSlim3705NamingTheBaseAndLayerAndNothingIsWritten()
    {
        using var dir = new ScratchDir();
        var testBase = TestBase.Build(dir.Combine("base"));
        using var scratch = new ScratchDir();
        var request = TestRequests.WholePipeline(scratch, testBase.ZstdArchive) with
        {
            Format = ImageFormat.Docker,
            IntermediateDirectory = scratch.Combine("obj"),
        };
        var e = Assert.Throws<SlimException>(() => BasePipelineTests.Run(request));
        Assert.Equal("SLIM3705", e.Code);
        Assert.Contains($"'{testBase.ZstdArchive}'", e.Message);
        Assert.Matches("zstd-compressed layer sha256:[0-9a-f]{64}, and the Docker image format", e.Message);
        // No archive, no scratch folder, no layer cache: the check comes before any layer of ours is written.
        Assert.Empty(Directory.Exists(scratch.Combine("out")) ? Directory.GetFileSystemEntries(scratch.Combine("out")) : []);
        Assert.False(Directory.Exists(scratch.Combine("obj", "layers")) && Directory.EnumerateFileSystemEntries(scratch.Combine("obj", "layers")).Any());

        // The same base with OCI media types is fine.
        var (result, _) = BasePipelineTests.Run(request with { Format = ImageFormat.Oci });
        Assert.All(ArchiveValidator.Validate(result.ArchivePath!).Layers.Take(3), l => Assert.EndsWith("+zstd", l.MediaType));
    }
}
