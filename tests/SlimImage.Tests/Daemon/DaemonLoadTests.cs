using System.Text.RegularExpressions;
using System.Xml.Linq;
using SlimImage.Tests.EndToEnd;
using SlimImage.Tests.Registry;
using SlimImage.Tests.Support;
using Xunit;

namespace SlimImage.Tests.Daemon;

/// <summary>
/// <c>SlimImageLoad</c> end to end: a real publish through the packed SDK, loaded into a real private Docker Engine
/// (and podman with its own storage), then run by that engine.
/// </summary>
public class DaemonLoadTests(DockerDaemon daemon) : IClassFixture<DockerDaemon>
{
    private static TestProject Project(string name) => TestProject.Create(name, Programs.Hello, properties: new Dictionary<string, string>
    {
        ["InvariantGlobalization"] = "true",
        ["SlimImage"] = "true",
        ["SlimImageRepository"] = name.ToLowerInvariant(),
        ["SlimImageTags"] = "1.0;latest",
    });

    private static readonly string[] Args = ["-r", "linux-x64", "--self-contained", "-v:n"];

    [Fact]
    public void PublishLoadsEveryTagIntoDockerWhichRunsItAndAnUnchangedPublishLoadsAgain()
    {
        var project = Project("LoadHello");
        var env = new Dictionary<string, string?> { ["DOCKER_HOST"] = daemon.Host, ["DOCKER_CONTEXT"] = null };

        var first = project.Publish([.. Args, "-p:SlimImageLoad=docker"], env).EnsureSuccess();
        var loaded = $"SLIM3703: Loaded '{project.DefaultArchive()}' into docker at {daemon.Host} (DOCKER_HOST): loadhello:1.0, loadhello:latest.";
        Assert.True(first.Output.Contains(loaded, StringComparison.Ordinal), first.Output);
        Assert.Matches(@"SLIM3704: Loading '[^']+' with docker load: [\d.]+ MB of [\d.]+ MB \(100%\)", first.Output);
        var ids = new[] { "1.0", "latest" }.Select(t => daemon.Docker("image", "inspect", "--format", "{{.Id}}", "loadhello:" + t).EnsureSuccess().Output.Trim()).ToList();
        Assert.Matches("^sha256:[0-9a-f]{64}$", ids[0]);
        Assert.Equal(ids[0], ids[1]);
        // The engine's image id is the config digest: the archive's own image went in, not a converted one.
        Assert.Equal(ids[0], ArchiveValidator.Validate(project.DefaultArchive()).Manifest.GetProperty("config").GetProperty("digest").GetString());

        var run = daemon.Docker("run", "--rm", "--network", "none", "loadhello:1.0", "loaded");
        Assert.True(run.ExitCode == 0, run.Output + daemon.Log);
        Assert.Contains("hello user=app uid=1654 cwd=/app args=loaded tmp=ok", run.Output);

        // The daemon lost the image; nothing changed in the project: the kept archive is loaded again.
        daemon.Docker("rmi", "loadhello:1.0", "loadhello:latest").EnsureSuccess();
        var second = project.Publish([.. Args, "-p:SlimImageLoad=true", "-p:LocalRegistry=Docker"], env).EnsureSuccess();
        Assert.Contains("SLIM1402", second.Output);
        Assert.Contains("SLIM3703", second.Output);
        Assert.Equal(ids[0], daemon.Docker("image", "inspect", "--format", "{{.Id}}", "loadhello:latest").EnsureSuccess().Output.Trim());

        // podman, with storage of its own: the same archive, every tag.
        var storage = Repo.NewTempDir("podman");
        var conf = Path.Combine(storage, "storage.conf");
        File.WriteAllText(conf, $"[storage]\ndriver = \"vfs\"\ngraphroot = \"{storage}/graph\"\nrunroot = \"{storage}/run\"\n");
        var podmanEnv = new Dictionary<string, string?> { ["CONTAINERS_STORAGE_CONF"] = conf, ["CONTAINER_HOST"] = null };
        var third = project.Publish([.. Args, "-p:SlimImageLoad=podman"], podmanEnv).EnsureSuccess();
        Assert.Contains("SLIM3703", third.Output);
        Assert.Contains("into podman at podman's local storage", third.Output);
        var names = Repo.Run("podman", ["images", "--format", "{{.Repository}}:{{.Tag}}"], environment: podmanEnv).EnsureSuccess().Output;
        Assert.Contains("loadhello:1.0", names);
        Assert.Contains("loadhello:latest", names);
        Repo.Run("podman", ["system", "reset", "--force"], environment: podmanEnv);
    }

    /// <summary>
    /// An existing PublishContainer pipeline with the package added: the SDK's own image step never runs (it would
    /// pull a Microsoft base image, which this machine cannot reach), SlimImage's image lands where the SDK's would.
    /// </summary>
    [Fact]
    public void PublishContainerLoadsIntoTheDaemonOrWritesContainerArchiveOutputPath()
    {
        var project = TestProject.Create("SdkParity", Programs.Hello, properties: new Dictionary<string, string>
        {
            ["InvariantGlobalization"] = "true",
            ["SlimImage"] = "true",
            ["ContainerRepository"] = "team/sdkparity",
            ["ContainerImageTags"] = "2.0;stable",
        }, targets: [new XElement("Target", new XAttribute("Name", "AfterContainer"), new XAttribute("AfterTargets", "PublishContainer"),
            new XElement("Message", new XAttribute("Importance", "High"),
                new XAttribute("Text", "GENERATED $(GeneratedContainerDigest) @(GeneratedContainer->'%(ManifestDigest)') @(GeneratedContainerName) ARCHIVE=$(GeneratedArchiveOutputPath)")))]);
        var env = new Dictionary<string, string?> { ["DOCKER_HOST"] = daemon.Host, ["DOCKER_CONTEXT"] = null };

        var loaded = project.Publish(["-t:PublishContainer", "-r", "linux-x64", "--self-contained", "-v:n", "-p:ContainerFamily=noble-chiseled"], env).EnsureSuccess();
        Assert.Contains("SLIM1057: ContainerFamily 'noble-chiseled' (the SDK's container support) is not used by SlimImage: it picks a family of Microsoft's base images", loaded.Output);
        // Had the SDK's image step run, it would have tried to pull mcr.microsoft.com, which this machine cannot reach.
        Assert.DoesNotContain(loaded.WarningCodes, c => c.StartsWith("CONTAINER", StringComparison.Ordinal));
        var digest = Regex.Match(loaded.Output, @"GENERATED (sha256:[0-9a-f]{64}) \1 team/sdkparity:2\.0;team/sdkparity:stable ARCHIVE=(\S+\.tar)");
        Assert.True(digest.Success, loaded.Output);
        Assert.Equal(digest.Groups[1].Value, ArchiveValidator.Validate(digest.Groups[2].Value).ManifestDigest);
        Assert.Contains("SLIM3703", loaded.Output);
        var run = daemon.Docker("run", "--rm", "--network", "none", "team/sdkparity:stable", "sdk");
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("hello user=app uid=1654 cwd=/app args=sdk tmp=ok", run.Output);

        // The SDK's command-line items, composed as the SDK composes them, run by a real engine.
        var args = project.Publish(["-t:PublishContainer", "-r", "linux-x64", "--self-contained", "-v:n",
            "-p:ContainerAppCommandInstruction=DefaultArgs", "-p:SlimImageCommand=\"one;two\""], env).EnsureSuccess();
        Assert.Contains("SLIM3703", args.Output);
        Assert.Contains("args=one,two tmp=ok", daemon.Docker("run", "--rm", "--network", "none", "team/sdkparity:stable").EnsureSuccess().Output);
        // DefaultArgs puts the app itself into Cmd: docker run's arguments replace all of it.
        Assert.Contains("args=three tmp=ok", daemon.Docker("run", "--rm", "--network", "none", "team/sdkparity:stable", "/app/SdkParity", "three").EnsureSuccess().Output);

        // ContainerArchiveOutputPath naming a folder: the archive goes there, nothing is loaded.
        var folder = Path.Combine(project.Directory, "images") + "/";
        var archived = project.Publish(["-t:PublishContainer", "-r", "linux-x64", "--self-contained", "-v:n", "-p:ContainerArchiveOutputPath=" + folder], env).EnsureSuccess();
        Assert.True(File.Exists(Path.Combine(folder, "team-sdkparity.tar")), archived.Output);
        Assert.DoesNotContain("SLIM3703", archived.Output);
        Assert.Contains("ARCHIVE=" + Path.Combine(folder, "team-sdkparity.tar"), archived.Output);

        // ContainerRegistry: pushed there, nothing loaded; the SDK's digest property names the pushed manifest.
        using var registry = LocalRegistry.Start();
        var pushed = project.Publish(["-t:PublishContainer", "-r", "linux-x64", "--self-contained", "-v:n", "-p:ContainerRegistry=" + registry.Host], env).EnsureSuccess();
        Assert.DoesNotContain("SLIM3703", pushed.Output);
        var generated = Regex.Match(pushed.Output, @"GENERATED (sha256:[0-9a-f]{64}) ");
        Assert.True(generated.Success, pushed.Output);
        Assert.Equal(generated.Groups[1].Value, RegistryTestKit.TagDigest(registry.Host, "team/sdkparity", "stable"));
        Assert.Contains($"SLIM4101: Pushed {registry.Host}/team/sdkparity:2.0", pushed.Output);
    }

    [Fact]
    public void NoDaemonBehindTheSocketIsAnErrorNamingItAndTheArchiveStays()
    {
        var project = Project("LoadNoDaemon");
        var socket = Path.Combine(Repo.NewTempDir("nodaemon"), "none.sock");
        var result = project.Publish([.. Args, "-p:SlimImageLoad=docker"], new Dictionary<string, string?> { ["DOCKER_HOST"] = "unix://" + socket });
        Assert.NotEqual(0, result.ExitCode);
        Assert.Equal(["SLIM3701"], result.ErrorCodes);
        Assert.Matches("SLIM3701: 'docker load' could not load the image into unix://" + Regex.Escape(socket) + @" \(DOCKER_HOST\): it exited with code \d+: .*(Cannot connect|no such file)", result.Output);
        Assert.True(File.Exists(project.DefaultArchive()), "the archive is written before the load, and stays:\n" + result.Output);
    }

    [Fact]
    public void NoClientOnPathIsAnErrorSayingWhatToInstall()
    {
        var project = Project("LoadNoClient");
        // Only dotnet on PATH.
        var bin = Repo.NewTempDir("bin");
        var dotnet = Repo.Run("sh", ["-c", "readlink -f \"$(command -v dotnet)\""]).EnsureSuccess().Output.Trim();
        File.CreateSymbolicLink(Path.Combine(bin, "dotnet"), dotnet);
        var result = project.Publish([.. Args, "-p:SlimImageLoad=true"], new Dictionary<string, string?> { ["PATH"] = bin });
        Assert.Equal(["SLIM3700"], result.ErrorCodes);
        Assert.Contains("'docker' or 'podman' was not found on PATH (" + bin + ")", result.Output);
    }
}
