using System.Globalization;
using System.Text.RegularExpressions;
using SlimImage.Diagnostics;

namespace SlimImage.Smoke;

/// <summary>What a passed smoke run did.</summary>
public sealed record SmokeResult(string Runner, RunOutcome Outcome, FileUseReport? FileUse);

/// <summary>
/// The smoke stage: runs one built image (one platform) and judges the run by <see cref="SmokeTestSettings"/>. A
/// failed run is <see cref="SlimException"/> SLIM5001 quoting the app and naming the setting that fixes a known cause.
/// </summary>
public static class SmokeTest
{
    public static SmokeResult Run(SmokeImage image, SmokeOptions options, Action<SlimDiagnostic> report, CancellationToken ct)
    {
        var settings = options.Settings;
        var runner = Choose(settings.Runner, image.Name);
        if (image.Argv(settings.Args).Count == 0) throw new SlimException("SLIM5007", image.Name);
        var (runnerName, outcome, fileUse) = runner == SmokeRunner.Namespaces
            ? InNamespaces(image, options, report, ct)
            : ContainerRunner.Run(image, options, runner == SmokeRunner.Docker ? "docker" : "podman", report, ct);
        if (Failure(outcome, image, settings) is { } why)
        {
            var (quote, hint) = FailureHints.Explain(outcome.Output);
            throw new SlimException("SLIM5001", image.Name, why, quote.Length == 0 ? "(nothing)" : quote,
                hint == null ? "" : " Likely fix: " + hint + ".", runnerName, string.Join("\n    ", outcome.Tail.DefaultIfEmpty("(no output)")));
        }
        report(SlimDiagnostic.Info("SLIM5012", image.Name, outcome.Duration.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture), runnerName, Passed(outcome, settings)));
        if (fileUse != null)
            report(SlimDiagnostic.Info("SLIM5013", image.Name, fileUse.OpenedFiles, fileUse.AllFiles, ByteSize.Format(fileUse.OpenedBytes), ByteSize.Format(fileUse.AllBytes),
                string.Join(", ", fileUse.LargestUnopened.Select(f => $"{f.Path} ({ByteSize.Format(f.Size)})"))));
        return new SmokeResult(runnerName, outcome, fileUse);
    }

    /// <summary>Namespaces when the build can make them, else the local docker or podman, else SLIM5004 saying what to provide.</summary>
    private static SmokeRunner Choose(SmokeRunner wanted, string image)
    {
        var why = NamespaceRunner.Unavailable();
        switch (wanted)
        {
            case SmokeRunner.Namespaces when why != null:
                throw new SlimException("SLIM5004", image, why);
            case SmokeRunner.Docker or SmokeRunner.Podman when Tools.Find(wanted.ToString().ToLowerInvariant()) == null:
                throw new SlimException("SLIM5005", image, wanted.ToString().ToLowerInvariant());
            case SmokeRunner.Auto when why == null:
                return SmokeRunner.Namespaces;
            case SmokeRunner.Auto:
                return Tools.Find("docker") != null ? SmokeRunner.Docker
                    : Tools.Find("podman") != null ? SmokeRunner.Podman
                    : throw new SlimException("SLIM5004", image, why);
            default:
                return wanted;
        }
    }

    private static (string, RunOutcome, FileUseReport?) InNamespaces(SmokeImage image, SmokeOptions options, Action<SlimDiagnostic> report, CancellationToken ct)
    {
        var folder = Path.Combine(options.Scratch, "smoke-" + FileSystem.TempFiles.Owner());
        try
        {
            var rootFolder = Path.Combine(folder, "root");
            var unpacked = RootUnpacker.Unpack(image.Layers, rootFolder, ct);
            report(SlimDiagnostic.Detail("SLIM5014", image.Name, unpacked.Files, ByteSize.Format(unpacked.Bytes), rootFolder,
                unpacked.Skipped.Count == 0 ? "none" : string.Join(", ", unpacked.Skipped.Take(20))));
            var root = new RootFolder(rootFolder);
            var prepared = RunRoot.Prepare(root, image, options, Path.Combine(folder, "etc"));
            var trace = Tools.Find("strace") != null ? Path.Combine(folder, "strace.log") : null;
            var outcome = NamespaceRunner.Run(root, Path.Combine(folder, "etc"), prepared.EtcNames, prepared.Launch, options.Settings,
                options.Settings.Port ?? image.ServerPort(), trace, image.Name, report, ct);
            var fileUse = trace != null && File.Exists(trace)
                ? FileUse.Read(trace, root.Path, prepared.Launch.WorkingDir, prepared.Added)
                : null;
            return (prepared.Qemu == null ? "namespaces" : "namespaces, " + prepared.Qemu, outcome, fileUse);
        }
        finally
        {
            RunRoot.Remove(folder);
        }
    }

    /// <summary>Why the run failed, or null when it passed.</summary>
    internal static string? Failure(RunOutcome outcome, SmokeImage image, SmokeTestSettings settings)
    {
        var seconds = settings.Timeout.TotalSeconds.ToString("0", CultureInfo.InvariantCulture);
        var url = $"http://127.0.0.1:{settings.Port ?? image.ServerPort()}{settings.UrlPath}";
        switch (outcome.Ending)
        {
            case RunEnding.TimedOut:
                return $"it was still running after {seconds} s (SlimImageSmokeTestTimeout) and was killed; a server needs SlimImageSmokeTestUrl";
            case RunEnding.NoAnswer:
                return $"{url} gave no 2xx answer within {seconds} s (last: {outcome.LastAnswer ?? "nothing"}); it was killed";
            case RunEnding.ExitedBeforeAnswer:
                return $"it exited with {Code(outcome.ExitCode)} before {url} answered 2xx (last: {outcome.LastAnswer ?? "nothing"})";
            case RunEnding.StopTimedOut:
                return $"{url} answered ({outcome.LastAnswer}), but it did not exit within {seconds} s of SIGTERM and was killed";
        }
        if (outcome.ExitCode != settings.ExitCode)
            return $"it exited with {Code(outcome.ExitCode)}, expected {settings.ExitCode} (SlimImageSmokeTestExitCode)";
        if (settings.Expect != null && !Regex.IsMatch(outcome.Output, settings.Expect, RegexOptions.Multiline, TimeSpan.FromSeconds(10)))
            return $"its output does not match SlimImageSmokeTestExpect '{settings.Expect}'";
        return null;
    }

    private static string Passed(RunOutcome outcome, SmokeTestSettings settings) =>
        (settings.UrlPath != null ? $"GET {settings.UrlPath} answered '{outcome.LastAnswer}', then it exited with {Code(outcome.ExitCode)} on SIGTERM" : $"it exited with {Code(outcome.ExitCode)}")
        + (settings.Expect != null ? $", output matches '{settings.Expect}'" : "");

    /// <summary>"code 1", or "code 134 (SIGABRT)" for a process a signal ended.</summary>
    internal static string Code(int? code) => code switch
    {
        null => "no exit code",
        > 128 and < 160 => $"code {code} ({Signal(code.Value - 128)})",
        _ => $"code {code}",
    };

    private static string Signal(int n) => n switch
    {
        1 => "SIGHUP", 2 => "SIGINT", 4 => "SIGILL", 6 => "SIGABRT", 7 => "SIGBUS", 8 => "SIGFPE", 9 => "SIGKILL",
        11 => "SIGSEGV", 13 => "SIGPIPE", 15 => "SIGTERM",
        _ => "signal " + n.ToString(CultureInfo.InvariantCulture),
    };
}
