using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using SlimImage.Tests.EndToEnd;
using SlimImage.Tests.Support;
using Xunit;

namespace SlimImage.Tests.Hostile;

/// <summary>
/// Real publishes of a real project: an archive overwritten with garbage of its size and mtime is built again and the
/// SlimImageArchive item gives the right digest; a publish killed with SIGKILL while it writes layers leaves temp
/// files, which the next publish removes before it builds the same image again; two publishes to one archive at once
/// both succeed, neither removing the files of the other, and leave one complete image.
/// </summary>
public class KilledPublishTests
{
    private static readonly XElement ShowArchive = new("Target", new XAttribute("Name", "ShowArchive"), new XAttribute("AfterTargets", "PublishSlimImage"),
        new XElement("Message", new XAttribute("Importance", "high"),
            new XAttribute("Text", "ARCHIVE=@(SlimImageArchive)|%(SlimImageArchive.ManifestDigest)")));

    private static string ArchiveItem(PublishResult publish)
    {
        var m = Regex.Match(publish.Output, @"ARCHIVE=([^|\r\n]+\|sha256:[0-9a-f]{64})");
        Assert.True(m.Success, "the SlimImageArchive item was not output:\n" + publish.Output);
        return m.Groups[1].Value;
    }

    /// <summary>Every file outside bin/ and obj/ with its sha256 and mtime: sources, nuget.config, the sentinel.</summary>
    private static Dictionary<string, string> Outside(TestProject project) => Directory
        .EnumerateFiles(project.Directory, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
        .Where(p => !p.StartsWith(Path.Combine(project.Directory, "bin"), StringComparison.Ordinal)
                    && !p.StartsWith(Path.Combine(project.Directory, "obj"), StringComparison.Ordinal))
        .ToDictionary(p => p, p => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(p))) + " " + File.GetLastWriteTimeUtc(p).Ticks);

    [Fact]
    public void ATamperedArchiveAndTheLeftoversOfAKilledPublishDoNotSurviveTheNextPublish()
    {
        var project = TestProject.Create("KillMe", Programs.Hello, properties: new Dictionary<string, string>
        {
            ["InvariantGlobalization"] = "true",
            ["SlimImage"] = "true",
        }, targets: [ShowArchive]);
        File.WriteAllText(Path.Combine(project.Directory, "sentinel.txt"), "not SlimImage's");
        string[] args = ["-r", "linux-x64", "--self-contained"];
        var archive = project.DefaultArchive();
        var output = Path.GetDirectoryName(archive)!;
        var layers = Path.Combine(project.Directory, "obj", "Release", "net10.0", "linux-x64", "slimimage", "layers");

        var first = project.Publish(args).EnsureSuccess();
        var bytes = File.ReadAllBytes(archive);
        var outside = Outside(project);

        // Garbage of the same size with the old mtime: built again, and the item has the image's digest.
        var mtime = File.GetLastWriteTimeUtc(archive);
        File.WriteAllBytes(archive, RandomNumberGenerator.GetBytes(bytes.Length));
        File.SetLastWriteTimeUtc(archive, mtime);
        var tampered = project.Publish(args).EnsureSuccess();
        Assert.Contains("SLIM1403", tampered.Output);
        Assert.DoesNotContain("SLIM1402", tampered.Output);
        Assert.Equal(ArchiveItem(first), ArchiveItem(tampered));
        Assert.Equal(bytes, File.ReadAllBytes(archive));

        // SIGKILL to the process writing a layer (its pid is in the temp name), as the OOM killer would send it.
        Directory.Delete(layers, recursive: true);
        var log = new System.Text.StringBuilder();
        using var publish = Start(project, args, log);
        var writing = WaitForLayerTemp(publish, layers, log);
        var pid = int.Parse(writing.Name.Split('-')[1]);
        using (var writer = Process.GetProcessById(pid))
        {
            writer.Kill(); // SIGKILL: no handler runs, nothing is cleaned up
            writer.WaitForExit();
        }
        if (!publish.WaitForExit(120_000)) publish.Kill(entireProcessTree: true);
        publish.WaitForExit();
        var left = Directory.EnumerateFileSystemEntries(layers, ".layer-*.tmp").Concat(Directory.EnumerateFileSystemEntries(output, ".*"))
            .Select(Path.GetFileName).ToList();
        Assert.Contains(writing.Name, left);

        // The next publish removes them, then builds the same image as the first.
        var next = project.Publish(args).EnsureSuccess();
        Assert.Contains("SLIM3603", next.Output);
        Assert.Contains(writing.Name, next.Output);
        Assert.Empty(Directory.EnumerateFileSystemEntries(layers, ".*"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(output, ".*"));
        ArchiveValidator.Validate(archive);
        Assert.Equal(ArchiveItem(first), ArchiveItem(next));
        Assert.Equal(bytes, File.ReadAllBytes(archive));

        var upToDate = project.Publish(args).EnsureSuccess();
        Assert.Contains("SLIM1402", upToDate.Output);
        Assert.DoesNotContain("SLIM3603", upToDate.Output);
        Assert.Equal(ArchiveItem(first), ArchiveItem(upToDate));
        Assert.Equal(outside, Outside(project));
    }

    [Fact]
    public void TwoPublishesToOneArchiveAtOnceBothSucceedAndNeitherRemovesTheOthersFiles()
    {
        var project = TestProject.Create("TwoAtOnce", Programs.Hello, properties: new Dictionary<string, string>
        {
            ["InvariantGlobalization"] = "true",
            ["SlimImage"] = "true",
            // Slower compression, so that the second publish starts while the first still writes its layers.
            ["SlimImageCompressionLevel"] = "9",
        }, targets: [ShowArchive]);
        string[] args = ["-r", "linux-x64", "--self-contained"];
        var archive = project.DefaultArchive();
        var slimimage = Path.Combine(project.Directory, "obj", "Release", "net10.0", "linux-x64", "slimimage");
        var first = project.Publish(args).EnsureSuccess();
        var bytes = File.ReadAllBytes(archive);
        Directory.Delete(slimimage, recursive: true);
        File.Delete(archive);

        // The second starts once the first writes a layer: its sweep sees the first's temp files, of a live pid.
        string[] again = [.. args, "--no-build"];
        var log = new System.Text.StringBuilder();
        using var a = Start(project, again, log);
        WaitForLayerTemp(a, Path.Combine(slimimage, "layers"), log);
        var b = project.Publish(again);
        Assert.True(a.WaitForExit(300_000), "the first publish did not end");
        a.WaitForExit();
        Assert.True(a.ExitCode == 0, "the first publish failed:\n" + log);
        b.EnsureSuccess();
        Assert.DoesNotContain("SLIM3603", b.Output);
        Assert.DoesNotContain("SLIM3603", log.ToString());

        // One complete image, the same as a publish alone, and nothing left behind.
        ArchiveValidator.Validate(archive);
        Assert.Equal(bytes, File.ReadAllBytes(archive));
        Assert.Equal(ArchiveItem(first), ArchiveItem(b));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(archive)!, ".*"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(slimimage, "layers"), ".*"));
    }

    private static Process Start(TestProject project, string[] args, System.Text.StringBuilder log)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        string[] command = ["publish", project.ProjectPath, "-c", "Release", "-nodeReuse:false", .. args];
        foreach (var a in command)
            psi.ArgumentList.Add(a);
        foreach (var (k, v) in PackageFeed.DotnetEnvironment)
            if (v == null) psi.Environment.Remove(k); else psi.Environment[k] = v;
        var publish = Process.Start(psi)!;
        publish.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        publish.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        publish.BeginOutputReadLine();
        publish.BeginErrorReadLine();
        return publish;
    }

    /// <summary>Waits until <paramref name="publish"/> writes a layer blob (a non-empty temp file in the cache).</summary>
    private static FileInfo WaitForLayerTemp(Process publish, string layers, System.Text.StringBuilder log)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            // The log is read only on failure and under its lock: the output handlers append to it meanwhile.
            if (publish.HasExited)
                lock (log) Assert.Fail("the publish ended before it wrote a layer:\n" + log);
            if (watch.Elapsed >= TimeSpan.FromMinutes(3))
                lock (log) Assert.Fail("no layer was written:\n" + log);
            var writing = Directory.Exists(layers)
                ? new DirectoryInfo(layers).EnumerateFiles(".layer-*.tmp", new EnumerationOptions { AttributesToSkip = 0 }).FirstOrDefault(f => f.Length > 0)
                : null;
            if (writing != null) return writing;
            Thread.Sleep(2);
        }
    }
}
