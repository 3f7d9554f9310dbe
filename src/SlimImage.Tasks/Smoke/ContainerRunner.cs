using System.Diagnostics;
using SlimImage.Diagnostics;

namespace SlimImage.Smoke;

/// <summary>
/// The smoke run without namespaces of its own (the build is not root): the written archive is loaded into the local
/// docker or podman and run there with <c>--network none</c>, by its image ID (the config digest), so whatever the
/// tags point at does not matter. The container is named after the build and removed; at the timeout it is killed.
/// A URL cannot be asked from outside a container without a network, so SlimImageSmokeTestUrl needs the namespaces.
/// </summary>
internal static class ContainerRunner
{
    public static (string, RunOutcome, FileUseReport?) Run(SmokeImage image, SmokeOptions options, string client, Action<SlimDiagnostic> report, CancellationToken ct)
    {
        var cli = Tools.Find(client)!;
        if (options.Settings.UrlPath != null) throw new SlimException("SLIM5009", image.Name, client, "SlimImageSmokeTestUrl needs its own network namespace, which only a build running as root can make");
        if (options.ArchivePath == null) throw new SlimException("SLIM5009", image.Name, client, "it loads the written archive, and only a push was asked for (set SlimImageArchiveOutputPath)");
        var load = Once(cli, ["load", "-i", options.ArchivePath], TimeSpan.FromMinutes(10), ct);
        if (load.Code != 0) throw new SlimException("SLIM5003", image.Name, $"'{client} load' failed with code {load.Code}", load.Output.Trim());
        var name = "slimimage-smoke-" + FileSystem.TempFiles.Owner();
        List<string> args = ["run", "--rm", "--name", name, "--network", "none", "--hostname", "slimimage-smoke", image.ConfigDigest.ToString(), .. options.Settings.Args ?? []];
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var a in (string[])["-c", "exec \"$@\" 2>&1 </dev/null", "sh", cli, .. args]) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new SlimException("SLIM5003", image.Name, client + " could not be started", "");
        process.StandardInput.Close();
        var output = new AppOutput(process.StandardOutput, image.Name, report);
        var clock = Stopwatch.StartNew();
        var ending = RunEnding.Exited;
        try
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            limit.CancelAfter(options.Settings.Timeout);
            try { process.WaitForExitAsync(limit.Token).GetAwaiter().GetResult(); }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested) { ending = RunEnding.TimedOut; }
        }
        finally
        {
            if (!process.HasExited)
            {
                Once(cli, ["rm", "--force", name], TimeSpan.FromSeconds(30), CancellationToken.None);
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                process.WaitForExit(10_000);
            }
        }
        output.Finish();
        // 125: the client or daemon failed before the app ran (docker run(1) and podman-run(1) say so).
        if (ending == RunEnding.Exited && process.ExitCode == 125)
            throw new SlimException("SLIM5003", image.Name, $"'{client} run' failed with code 125", string.Join(" | ", output.Tail));
        return (client + " run --network none", new RunOutcome(ending, ending == RunEnding.Exited ? process.ExitCode : null, output.Text, output.Tail, clock.Elapsed), null);
    }

    private static (int Code, string Output) Once(string cli, IReadOnlyList<string> args, TimeSpan timeout, CancellationToken ct)
    {
        var start = new ProcessStartInfo(cli) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        try
        {
            process.WaitForExitAsync(limit.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            ct.ThrowIfCancellationRequested();
            return (-1, $"no answer within {timeout.TotalSeconds:0} s");
        }
        var text = (stdout.Wait(5000) ? stdout.Result : "") + (stderr.Wait(5000) ? stderr.Result : "");
        return (process.ExitCode, text.Length > 4000 ? text[^4000..] : text);
    }
}
