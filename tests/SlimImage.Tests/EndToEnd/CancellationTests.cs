using System.Diagnostics;
using SlimImage.Tests.Support;
using Xunit;

namespace SlimImage.Tests.EndToEnd;

/// <summary>Ctrl+C during the image work leaves neither an archive nor a temporary file behind.</summary>
public class CancellationTests
{
    [Fact]
    public void CtrlCDuringImageWorkLeavesNothingBehind()
    {
        var project = TestProject.Create("CancelMe", Programs.Hello,
            properties: new Dictionary<string, string> { ["InvariantGlobalization"] = "true" });
        // Restore and build first, so that the publish below reaches the image work quickly.
        project.Publish("-r", "linux-x64", "--self-contained").EnsureSuccess();
        var output = Path.GetDirectoryName(project.DefaultArchive())!;

        // A shell ignores SIGINT in what it starts with '&' (no job control), that ignoring is inherited through exec, and
        // .NET keeps a SIGINT it finds ignored: under `build/test.sh &` the Ctrl+C below would reach no handler and the
        // publish would simply finish. perl (Essential in Debian) puts SIGINT back to its default, then execs dotnet
        // in the same process, so publish.Id stays the pid to signal.
        var psi = new ProcessStartInfo("perl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-e", "$SIG{INT} = 'DEFAULT'; exec { $ARGV[0] } @ARGV or die \"exec: $!\"", "dotnet" })
            psi.ArgumentList.Add(a);
        // gzip level 9 makes the layer work last seconds rather than one: on a loaded machine, the Ctrl+C below must
        // still arrive while it runs.
        foreach (var a in new[] { "publish", project.ProjectPath, "-c", "Release", "-nodeReuse:false", "-r", "linux-x64", "--self-contained", "-p:SlimImage=true",
                     "-p:SlimImageCompressionLevel=9" })
            psi.ArgumentList.Add(a);
        foreach (var (k, v) in PackageFeed.DotnetEnvironment)
            if (v == null) psi.Environment.Remove(k); else psi.Environment[k] = v;
        using var publish = Process.Start(psi)!;
        var log = new System.Text.StringBuilder();
        publish.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        publish.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        publish.BeginOutputReadLine();
        publish.BeginErrorReadLine();
        // The handlers append on other threads: the log is read under the same lock, and only for a failure's message.
        string Log() { lock (log) return log.ToString(); }

        // Wait until the layers are being written (the scratch folder beside the archive, or a blob being written
        // into the layer cache), then press Ctrl+C.
        var cache = Path.Combine(project.Directory, "obj", "Release", "net10.0", "linux-x64", "slimimage", "layers");
        var watch = Stopwatch.StartNew();
        while (!Directory.EnumerateFileSystemEntries(output, ".slimimage-*").Any()
               && !(Directory.Exists(cache) && Directory.EnumerateFileSystemEntries(cache, "*", SearchOption.AllDirectories).Any()))
        {
            if (publish.HasExited) Assert.Fail("the publish ended before the image work started:\n" + Log());
            if (watch.Elapsed > TimeSpan.FromMinutes(3)) Assert.Fail("the image work never started:\n" + Log());
            Thread.Sleep(5);
        }
        Repo.Run("kill", ["-INT", publish.Id.ToString()]).EnsureSuccess();
        Assert.True(publish.WaitForExit(120_000), "the publish did not stop after Ctrl+C");
        publish.WaitForExit();

        Assert.True(publish.ExitCode != 0, "the publish ended with exit code 0 after Ctrl+C:\n" + Log());
        Assert.False(File.Exists(project.DefaultArchive()), "an archive was left:\n" + Log());
        var leftovers = Directory.EnumerateFileSystemEntries(output, ".*").ToList();
        Assert.True(leftovers.Count == 0, "temporary files were left: " + string.Join(", ", leftovers) + "\n" + Log());
        var cacheTemp = Directory.Exists(cache) ? Directory.EnumerateFiles(cache, "*.tmp", SearchOption.AllDirectories).ToList() : [];
        Assert.True(cacheTemp.Count == 0, "temporary layer files were left: " + string.Join(", ", cacheTemp));
    }
}
