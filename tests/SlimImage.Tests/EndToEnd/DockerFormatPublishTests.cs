using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using SlimImage.Tests.Registry;
using SlimImage.Tests.Support;
using Xunit;
using SlimImage.Oci;

namespace SlimImage.Tests.EndToEnd;

/// <summary>
/// <c>ContainerImageFormat=Docker</c> through the packed SDK: one real publish writes the archive and pushes to the real
/// docker-registry; the archive is read by skopeo, loaded and run by a real Docker Engine, and the registry serves the
/// manifest with the Docker media type. Bad values stop the build before anything is written.
/// </summary>
public class DockerFormatPublishTests(DockerDaemon daemon) : IClassFixture<DockerDaemon>
{
    private const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";

    [Fact]
    public void ADockerFormatImageIsReadBySkopeoLoadedAndRunByDockerAndPushedWithDockerMediaTypes()
    {
        var project = TestProject.Create("DockerFormat", Programs.Hello, properties: new Dictionary<string, string>
        {
            ["InvariantGlobalization"] = "true",
            ["SlimImage"] = "true",
            ["ContainerRepository"] = "e2e/dockerformat",
            ["ContainerImageTags"] = "1.0",
            ["ContainerImageFormat"] = "Docker",
        }, targets: [new XElement("Target", new XAttribute("Name", "PrintType"), new XAttribute("AfterTargets", "PublishSlimImage"),
            new XElement("Message", new XAttribute("Importance", "High"), new XAttribute("Text", "MEDIATYPE $(GeneratedContainerMediaType)")))]);
        string[] args = ["-r", "linux-x64", "--self-contained", "-v:n"];
        var archive = project.DefaultArchive();
        var folder = Path.GetDirectoryName(archive)!;

        // Bad values: an error naming the property, and nothing written beside where the archive would go.
        var bad = project.Publish([.. args, "-p:ContainerImageFormat=v2s2"]);
        Assert.Equal(["SLIM1058"], bad.ErrorCodes);
        Assert.Contains("ContainerImageFormat 'v2s2' is not an image format", bad.Output);
        var ours = project.Publish([.. args, "-p:SlimImageImageFormat=oci1"]);
        Assert.Equal(["SLIM1058"], ours.ErrorCodes);
        Assert.Contains("SlimImageImageFormat 'oci1' is not an image format", ours.Output);
        var zstd = project.Publish([.. args, "-p:SlimImageCompression=zstd"]);
        Assert.Equal(["SLIM1059"], zstd.ErrorCodes);
        Assert.Contains("ContainerImageFormat is Docker and SlimImageCompression is zstd", zstd.Output);
        Assert.False(File.Exists(archive), zstd.Output);
        Assert.Empty(Directory.GetFiles(folder, "*.tar*").Concat(Directory.GetDirectories(folder, ".slimimage-*")));

        using var registry = LocalRegistry.Start();
        var published = project.Publish([.. args, $"-p:SlimImageRegistry={registry.Host}", $"-p:SlimImageArchiveOutputPath={archive}"]).EnsureSuccess();
        Assert.DoesNotContain("ContainerImageFormat", published.Output.Split('\n').Where(l => l.Contains("SLIM1057")));
        Assert.Contains("MEDIATYPE " + DockerManifest, published.Output);
        var pushed = Regex.Match(published.Output, @"SLIM4101: Pushed \S+/e2e/dockerformat:1\.0 = \S+@(sha256:[0-9a-f]{64})");
        Assert.True(pushed.Success, published.Output);

        // The archive: Docker types throughout, the same manifest as the registry's.
        var view = ArchiveValidator.Validate(archive);
        Assert.Equal(pushed.Groups[1].Value, view.ManifestDigest);
        Assert.Equal(DockerManifest, view.Manifest.GetProperty("mediaType").GetString());
        Assert.All(view.Layers, l => Assert.Equal("application/vnd.docker.image.rootfs.diff.tar.gzip", l.MediaType));
        var inspect = JsonDocument.Parse(Repo.Run("skopeo", ["inspect", "oci-archive:" + archive]).EnsureSuccess().Output).RootElement;
        Assert.Equal(view.ManifestDigest, inspect.GetProperty("Digest").GetString());
        var fromDocker = JsonDocument.Parse(Repo.Run("skopeo", ["inspect", $"docker-archive:{archive}:e2e/dockerformat:1.0"]).EnsureSuccess().Output).RootElement;
        Assert.Equal(view.Layers.Select(l => l.DiffId), fromDocker.GetProperty("Layers").EnumerateArray().Select(l => l.GetString()));

        // A real Docker Engine loads it (its image id is the config digest) and runs it.
        daemon.Docker("load", "-i", archive).EnsureSuccess();
        Assert.Equal(view.Manifest.GetProperty("config").GetProperty("digest").GetString(),
            daemon.Docker("image", "inspect", "--format", "{{.Id}}", "e2e/dockerformat:1.0").EnsureSuccess().Output.Trim());
        var run = daemon.Docker("run", "--rm", "--network", "none", "e2e/dockerformat:1.0", "docker");
        Assert.True(run.ExitCode == 0, run.Output + daemon.Log);
        Assert.Contains("hello user=app uid=1654 cwd=/app args=docker tmp=ok", run.Output);

        // The registry kept the Docker manifest: served with its media type, byte for byte the archive's.
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{registry.Host}/v2/e2e/dockerformat/manifests/1.0");
        request.Headers.Accept.ParseAdd(DockerManifest);
        using var response = http.Send(request).EnsureSuccessStatusCode();
        Assert.Equal(DockerManifest, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(view.ManifestDigest, response.Headers.GetValues("Docker-Content-Digest").Single());
        using var body = JsonDocument.Parse(response.Content.ReadAsStream());
        Assert.Equal("application/vnd.docker.container.image.v1+json", body.RootElement.GetProperty("config").GetProperty("mediaType").GetString());
    }
}
