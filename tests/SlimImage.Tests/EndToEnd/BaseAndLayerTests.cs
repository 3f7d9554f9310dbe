using System.Xml.Linq;
using SlimImage.Tests.Support;
using Xunit;

namespace SlimImage.Tests.EndToEnd;

/// <summary>
/// Real publishes on the busybox base and on base archives made by umoci and skopeo, with layers by rate of change:
/// each image is read back and run; a one-line code change must change the app layer only.
/// </summary>
public class BaseAndLayerTests
{
    /// <summary>Uses a NuGet package (a layer of its own) and says which build it is.</summary>
    private const string JsonHello = """
        var json = Newtonsoft.Json.JsonConvert.SerializeObject(new { answer = 42 });
        Console.WriteLine($"hello {json} user={Environment.UserName} args={string.Join(",", args)}");
        Console.WriteLine("build=one");
        """;

    /// <summary>Reads what the base put in the image: a file and an environment variable.</summary>
    private const string BaseHello = """
        var greeting = File.ReadAllText("/opt/greeting.txt").Trim();
        Console.WriteLine($"hello greeting='{greeting}' env={Environment.GetEnvironmentVariable("GREETING")} user={Environment.UserName}");
        """;

    [Fact]
    public void BusyboxImageStartsTheAppFromItsShellAndACodeChangeChangesOnlyTheAppLayer()
    {
        var project = TestProject.Create("BbHello", JsonHello, properties: new Dictionary<string, string>
        {
            ["InvariantGlobalization"] = "true",
            ["SlimImageBase"] = "busybox",
        }, items: [new XElement("PackageReference", new XAttribute("Include", "Newtonsoft.Json"), new XAttribute("Version", "13.0.3"))]);
        string[] args = ["-r", "linux-x64", "--self-contained", "-p:SlimImage=true"];
        project.Publish(args).EnsureSuccess();
        var archive = project.DefaultArchive();
        var first = ArchiveValidator.Validate(archive);

        // busybox, build machine files, .NET runtime, NuGet packages, app.
        Assert.Equal(5, first.Layers.Count);
        Assert.Equal("busybox", first.Layers[0].Find("/bin/sh")!.LinkName);
        Assert.NotNull(first.Layers[1].Find("/etc/passwd"));
        Assert.Contains(first.Layers[1].Entries, e => e.Path.EndsWith("/libstdc++.so.6"));
        Assert.NotNull(first.Layers[2].Find("/app/libcoreclr.so"));
        Assert.NotNull(first.Layers[2].Find("/app/System.Private.CoreLib.dll"));
        Assert.NotNull(first.Layers[3].Find("/app/Newtonsoft.Json.dll"));
        Assert.NotNull(first.Layers[4].Find("/app/BbHello.dll"));
        Assert.Null(first.Layers[4].Find("/app/libcoreclr.so"));
        Assert.Equal(["/app/BbHello"], first.Entrypoint);

        var shell = ImageRunner.Run(archive, ["-c", "echo sum=$((6*7)); cd /tmp && /app/BbHello from-shell"], entrypoint: "/bin/sh");
        Assert.True(shell.ExitCode == 0, shell.Output);
        Assert.Contains("sum=42", shell.Output);
        Assert.Contains("hello {\"answer\":42} user=app args=from-shell", shell.Output);

        // One line of code changes: every layer but the app's keeps its digest.
        File.WriteAllText(Path.Combine(project.Directory, "Program.cs"), JsonHello.Replace("build=one", "build=two"));
        project.Publish(args).EnsureSuccess();
        var second = ArchiveValidator.Validate(archive);
        Assert.Equal(first.Layers.Take(4).Select(l => l.Digest), second.Layers.Take(4).Select(l => l.Digest));
        Assert.NotEqual(first.Layers[4].Digest, second.Layers[4].Digest);
        var run = ImageRunner.Run(archive);
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("build=two", run.Output);
    }

    [Fact]
    public void BaseArchivesFromOtherToolsKeepTheirLayersFilesAndEnvAndTheAppRuns()
    {
        var project = TestProject.Create("BaseHello", BaseHello, properties: new Dictionary<string, string> { ["InvariantGlobalization"] = "true" });
        var testBase = TestBase.Build(Repo.NewTempDir("e2e-base"), withLibstdcxx: true);
        // Named relative to the project, as a user would write it.
        File.Copy(testBase.OciArchive, Path.Combine(project.Directory, "base.tar"));
        var archive = project.DefaultArchive();
        string[] args = ["-r", "linux-x64", "--self-contained", "-p:SlimImage=true"];

        foreach (var (baseArg, digests) in new[] { ("base.tar", testBase.LayerDigests), (testBase.DockerArchive, testBase.DiffIds) })
        {
            var publish = project.Publish([.. args, "-p:SlimImageBase=" + baseArg], null).EnsureSuccess();
            Assert.Contains("SLIM3505", publish.Output);
            Assert.Contains("SLIM3506", publish.Output); // the base's libstdc++ was not added again
            var view = ArchiveValidator.Validate(archive);
            Assert.Equal(digests, view.Layers.Take(3).Select(l => l.Digest));
            Assert.Equal(testBase.DiffIds, view.Layers.Take(3).Select(l => l.DiffId));
            Assert.Contains("GREETING=hello-from-base", view.Env);
            Assert.Contains("DOTNET_RUNNING_IN_CONTAINER=true", view.Env);
            Assert.Equal("kept", view.RuntimeConfig.GetProperty("Labels").GetProperty("base.label").GetString());
            Assert.DoesNotContain(view.Layers.Skip(3).SelectMany(l => l.Entries), e => e.Path.Contains("libstdc++"));
            Assert.NotNull(view.Layers.Skip(3).SelectMany(l => l.Entries).FirstOrDefault(e => e.Path == "/app/libcoreclr.so"));

            var run = ImageRunner.Run(archive);
            Assert.True(run.ExitCode == 0, baseArg + ": " + run.Output);
            Assert.Contains("hello greeting='hello from the base' env=hello-from-base user=app", run.Output);
        }

        var missing = project.Publish([.. args, "-p:SlimImageBase=no-such-base.tar"], null);
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("SLIM1003", missing.ErrorCodes);
        Assert.Contains("no-such-base.tar", missing.Output);
    }
}
