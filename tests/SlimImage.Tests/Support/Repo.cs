using System.Diagnostics;
using System.Text;

namespace SlimImage.Tests.Support;

/// <summary>Where the repository is, and a way to run a program and see everything it printed.</summary>
public static class Repo
{
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SlimImage.sln")))
                return dir.FullName;
        throw new InvalidOperationException("SlimImage.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>A new folder below this test run's own folder, which goes when the test process ends.</summary>
    public static string NewTempDir(string prefix)
    {
        var dir = Path.Combine(RunRoot.Value, prefix + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    // Every end-to-end publish leaves a few hundred MB (bin/, obj/, unpacked images): a whole run is about 15 GB.
    // Each test process keeps its folders under slimimage-tests/pid-N and deletes them when it exits; vstest often
    // ends the test host before exit handlers run, so each run first deletes what dead runs left behind, and
    // build/test.sh removes the folder after the run.
    private static readonly Lazy<string> RunRoot = new(() =>
    {
        var parent = Path.Combine(Path.GetTempPath(), "slimimage-tests");
        Directory.CreateDirectory(parent);
        foreach (var entry in Directory.EnumerateFileSystemEntries(parent))
        {
            var name = Path.GetFileName(entry);
            if (name.StartsWith("pid-", StringComparison.Ordinal) && int.TryParse(name[4..], out var pid) && Directory.Exists($"/proc/{pid}"))
                continue;
            TryDelete(entry);
        }
        var root = Path.Combine(parent, $"pid-{Environment.ProcessId}");
        Directory.CreateDirectory(root);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => TryDelete(root);
        return root;
    });

    private static void TryDelete(string path)
    {
        try
        {
            if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
            else File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // a folder still in use by a concurrent run, or a mount left by a killed runner: the next run tries again
        }
    }

    /// <summary>Runs a program to its end; environment entries with a null value are removed.</summary>
    public static ProcessResult Run(string file, IEnumerable<string> args, string? workingDirectory = null,
        IReadOnlyDictionary<string, string?>? environment = null, bool clearEnvironment = false, int timeoutSeconds = 600)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (clearEnvironment) psi.Environment.Clear();
        if (environment != null)
            foreach (var (k, v) in environment)
                if (v == null) psi.Environment.Remove(k); else psi.Environment[k] = v;
        var output = new StringBuilder();
        using var p = new Process { StartInfo = psi };
        p.OutputDataReceived += (_, e) => { if (e.Data != null) lock (output) output.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (output) output.AppendLine(e.Data); };
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        if (!p.WaitForExit(timeoutSeconds * 1000))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in {timeoutSeconds}s:\n{output}");
        }
        p.WaitForExit();
        return new ProcessResult(p.ExitCode, output.ToString(), $"{file} {string.Join(' ', psi.ArgumentList)}");
    }

    /// <summary>Fails with a clear message (never skips) when a tool the tests need is missing.</summary>
    public static void RequireTool(string tool)
    {
        var found = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Any(d => d.Length > 0 && File.Exists(Path.Combine(d, tool)));
        if (!found)
            throw new InvalidOperationException(
                $"'{tool}' is not installed; the README's test command (build/test.sh) installs it.");
    }
}

public sealed record ProcessResult(int ExitCode, string Output, string CommandLine)
{
    public ProcessResult EnsureSuccess()
    {
        if (ExitCode != 0)
            throw new InvalidOperationException($"'{CommandLine}' exited with {ExitCode}:\n{Output}");
        return this;
    }
}
