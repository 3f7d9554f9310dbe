using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using SlimImage.Tests.Registry;
using SlimImage.Tests.Support;
using Xunit;
using SlimImage.Oci;

namespace SlimImage.Tests.EndToEnd;

/// <summary>
/// <c>dotnet publish -p:SlimImageRegistry=…</c> through the packed SDK against a real registry: the image is pushed,
/// pulled back by skopeo and run; an unchanged publish uploads nothing; a code change uploads only what changed.
/// </summary>
public class RegistryPublishTests
{
    private static TestProject Project(string name)
    {
        var project = TestProject.Create(name, Programs.Hello, properties: new Dictionary<string, string>
        {
            ["InvariantGlobalization"] = "true",
            ["SlimImage"] = "true",
            ["SlimImageRepository"] = "e2e/" + name.ToLowerInvariant(),
        });
        // What a later CI step (signing, deployment) would do with the output items.
        var xml = XDocument.Load(project.ProjectPath);
        xml.Root!.Add(new XElement("Target", new XAttribute("Name", "PrintPushed"), new XAttribute("AfterTargets", "PublishSlimImage"),
            new XElement("Message", new XAttribute("Importance", "High"),
                new XAttribute("Text", "PUSHED %(SlimImagePushedImage.Identity) %(SlimImagePushedImage.ManifestDigest) %(SlimImagePushedImage.DigestReference)"),
                new XAttribute("Condition", "'@(SlimImagePushedImage)' != ''"))));
        xml.Save(project.ProjectPath);
        return project;
    }

    private static (string Reference, string Digest)[] Pushed(PublishResult publish) =>
        Regex.Matches(publish.Output, @"PUSHED (\S+) (sha256:[0-9a-f]{64}) ").Select(m => (m.Groups[1].Value, m.Groups[2].Value)).ToArray();

    /// <summary>The config and layer digests a manifest in the registry refers to.</summary>
    private static HashSet<string> Blobs(string registryHost, string repository, string digest)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{registryHost}/v2/{repository}/manifests/{digest}");
        request.Headers.Accept.ParseAdd("application/vnd.oci.image.manifest.v1+json");
        using var response = http.Send(request).EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(response.Content.ReadAsStream());
        return [doc.RootElement.GetProperty("config").GetProperty("digest").GetString()!,
            .. doc.RootElement.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("digest").GetString()!)];
    }

    [Fact]
    public void PublishPushesAndOnlyChangedBlobsGoUpAgain()
    {
        using var registry = LocalRegistry.Start();
        using var proxy = new RegistryProxy(registry.Host);
        var project = Project("PushHello");
        var cache = Repo.NewTempDir("cache");
        // Counts the image's own blobs: the SBOM referrer (its blob and empty config) is pushed and counted in SbomTests.
        string[] args = ["-r", "linux-x64", "--self-contained", "-v:n", $"-p:SlimImageRegistry={proxy.Host}",
            "-p:SlimImageTags=\"1.0;latest\"", $"-p:SlimImageCacheDirectory={cache}", "-p:SlimImageSbom=false"];

        var first = project.Publish(args).EnsureSuccess();
        Assert.False(File.Exists(project.DefaultArchive()), "pushing alone writes no archive");
        var pushed = Pushed(first);
        Assert.Equal([$"{proxy.Host}/e2e/pushhello:1.0", $"{proxy.Host}/e2e/pushhello:latest"], pushed.Select(p => p.Reference));
        var digest = pushed[0].Digest;
        Assert.Contains($"{proxy.Host}/e2e/pushhello@{digest}", first.Output);
        Assert.Equal(2, Regex.Matches(first.Output, @"SLIM4101: Pushed \S+:(1\.0|latest) = \S+@" + digest).Count);
        Assert.Matches(@"SLIM4100: Uploading layer \d+/\d+ sha256:[0-9a-f]{64} to \S+: [\d.]+ MB of [\d.]+ MB \(100%\), [\d.]+ [KM]?B/s", first.Output);
        Assert.Equal(digest, RegistryTestKit.TagDigest(registry.Host, "e2e/pushhello", "latest"));
        var blobs1 = Blobs(registry.Host, "e2e/pushhello", digest);
        Assert.Equal(blobs1.Count, proxy.Requests.Count(r => r.IsUploadStart));

        // An independent client pulls it back, and it runs in its own root filesystem.
        var pulled = Path.Combine(Repo.NewTempDir("pulled"), "hello.tar");
        Repo.Run("skopeo", ["copy", "--quiet", "--src-tls-verify=false", $"docker://{registry.Host}/e2e/pushhello:1.0", "oci-archive:" + pulled]).EnsureSuccess();
        var run = ImageRunner.Run(pulled, ["pushed"]);
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("hello user=app uid=1654 cwd=/app args=pushed tmp=ok", run.Output);

        // Unchanged: not a single blob goes up again.
        proxy.Clear();
        var second = project.Publish(args).EnsureSuccess();
        Assert.Equal(digest, Pushed(second)[0].Digest);
        Assert.DoesNotContain(proxy.Requests, r => r.IsUploadStart || r.IsUploadData || r.IsMount);
        Assert.Contains("0 blob(s) uploaded", second.Output);

        // A code change: only the blobs that changed go up; the archive is written too when it is asked for.
        File.AppendAllText(Path.Combine(project.Directory, "Program.cs"), "\nConsole.WriteLine(\"second version\");\n");
        proxy.Clear();
        var archive = Path.Combine(project.Directory, "out", "both.tar");
        var third = project.Publish([.. args, $"-p:SlimImageArchiveOutputPath={archive}"]).EnsureSuccess();
        var digest3 = Pushed(third)[0].Digest;
        Assert.NotEqual(digest, digest3);
        Assert.Equal(digest3, ArchiveValidator.Validate(archive).ManifestDigest);
        var changed = Blobs(registry.Host, "e2e/pushhello", digest3).Except(blobs1).Order().ToList();
        Assert.Equal(changed, proxy.Requests.Select(r => r.UploadedDigest).OfType<string>().Order().ToList());
        // Layers by rate of change: a code-only change uploads the app layer and the config, nothing else.
        var layers3 = ArchiveValidator.Validate(archive).Layers;
        Assert.True(layers3.Count >= 3, "expected the system, runtime and app layers");
        Assert.Equal(2, changed.Count);
        Assert.Contains(layers3[^1].Digest, changed);
        var pulled3 = Path.Combine(Repo.NewTempDir("pulled"), "hello.tar");
        Repo.Run("skopeo", ["copy", "--quiet", "--src-tls-verify=false", $"docker://{registry.Host}/e2e/pushhello:latest", "oci-archive:" + pulled3]).EnsureSuccess();
        var run3 = ImageRunner.Run(pulled3);
        Assert.True(run3.ExitCode == 0, run3.Output);
        Assert.Contains("second version", run3.Output);
    }

    [Fact]
    public void CredentialsFromTheEnvironmentNeverReachTheLogAndWrongOnesAreSlim4001()
    {
        using var registry = LocalRegistry.Start(RegistryAuth.Htpasswd);
        var project = Project("AuthHello");
        var binlog = Path.Combine(project.Directory, "push.binlog");
        string[] args = ["-r", "linux-x64", "--self-contained", $"-p:SlimImageRegistry={registry.Host}", "-p:SlimImageTags=1", $"-bl:{binlog}",
            $"-p:SlimImageCacheDirectory={Repo.NewTempDir("cache")}"];
        var env = new Dictionary<string, string?> { ["SLIMIMAGE_REGISTRY_USER"] = LocalRegistry.User, ["SLIMIMAGE_REGISTRY_PASSWORD"] = LocalRegistry.Password };

        var good = project.Publish(args, env).EnsureSuccess();
        Assert.Single(Pushed(good));
        Assert.NotNull(RegistryTestKit.TagDigest(registry.Host, "e2e/authhello", "1", $"{LocalRegistry.User}:{LocalRegistry.Password}"));
        Assert.DoesNotContain(LocalRegistry.Password, good.Output);
        Assert.False(Contains(binlog, LocalRegistry.Password), "the password is in the binlog");
        Assert.True(Contains(binlog, "SLIM4101"), "the binlog holds the push messages (so the search above is meaningful)");

        env["SLIMIMAGE_REGISTRY_PASSWORD"] = "wrong-password-123";
        var bad = project.Publish([.. args, "-p:SlimImageTags=bad"], env);
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Equal(["SLIM4001"], bad.ErrorCodes);
        Assert.Contains($"'{registry.Host}'", bad.Output);
        Assert.Contains("'e2e/authhello'", bad.Output);
        Assert.DoesNotContain("MSB4018", bad.Output); // no unhandled exception
        Assert.DoesNotContain("wrong-password-123", bad.Output);
        Assert.False(Contains(binlog, "wrong-password-123"), "the wrong password is in the binlog");
        Assert.Null(RegistryTestKit.TagDigest(registry.Host, "e2e/authhello", "bad", $"{LocalRegistry.User}:{LocalRegistry.Password}"));
    }

    /// <summary>Whether a binlog (a gzip stream of records) holds the text, in UTF-8 or UTF-16.</summary>
    private static bool Contains(string binlog, string text)
    {
        using var file = File.OpenRead(binlog);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var all = new MemoryStream();
        gzip.CopyTo(all);
        var bytes = all.ToArray();
        return bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0 || bytes.AsSpan().IndexOf(Encoding.Unicode.GetBytes(text)) >= 0;
    }
}
