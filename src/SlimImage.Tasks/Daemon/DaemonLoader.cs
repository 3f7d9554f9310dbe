using System.Diagnostics;
using System.Text;
using SlimImage.Diagnostics;

namespace SlimImage.Daemon;

/// <summary>What a load did: the client and the names it reported (<c>Loaded image: app:1.0</c>).</summary>
public sealed record LoadResult(ResolvedCli Cli, IReadOnlyList<string> Images);

/// <summary>
/// Streams a written archive into <c>docker load</c> or <c>podman load</c>, as the SDK does: the archive holds a
/// docker <c>manifest.json</c> with every tag, which both read. Everything the client prints is kept only as a
/// bounded tail, the whole load has a time limit, and a cancelled build kills the client.
/// </summary>
public static class DaemonLoader
{
    private const int TailBytes = 16 * 1024;

    /// <summary>Loads with the client <paramref name="target"/> names, found as <see cref="CliLocator"/> does.</summary>
    public static LoadResult LoadArchive(string archivePath, LoadTarget target, Func<string, string?> environment,
        Action<SlimDiagnostic> report, CancellationToken ct) =>
        Load(archivePath, CliLocator.Resolve(target.Cli, environment), target.Timeout, report, ct);

    public static LoadResult Load(string archivePath, ResolvedCli cli, TimeSpan timeout, Action<SlimDiagnostic> report, CancellationToken ct)
    {
        var start = new ProcessStartInfo(cli.Path, "load")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new SlimException("SLIM3700", cli.Name, cli.Path);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            // Found on PATH a moment ago, but it cannot be run (removed, or not executable for this user).
            throw new SlimException(e, "SLIM3700", cli.Name, cli.Path);
        }
        using var owned = process;
        var stdout = new Tail(process.StandardOutput);
        var stderr = new Tail(process.StandardError);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        try
        {
            try
            {
                Feed(archivePath, process.StandardInput.BaseStream, cli, report, limit.Token);
            }
            catch (IOException)
            {
                // The client stopped reading (it could not reach its daemon, or refused the archive): its exit code
                // and message below say why.
            }
            finally
            {
                try { process.StandardInput.Close(); } catch (IOException) { /* already gone */ }
            }
            process.WaitForExitAsync(limit.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { /* exited meanwhile */ }
            ct.ThrowIfCancellationRequested();
            throw new SlimException("SLIM3702", cli.Name, archivePath, (int)timeout.TotalSeconds, cli.Endpoint);
        }
        var output = stdout.Text();
        if (process.ExitCode != 0)
            throw new SlimException("SLIM3701", cli.Name, cli.Endpoint, process.ExitCode, LastLines(stderr.Text() + output), archivePath);
        var images = output.Split('\n')
            .Select(l => l.Trim())
            .Where(l => l.StartsWith("Loaded image", StringComparison.Ordinal))
            .Select(l => l[(l.IndexOf(':') + 1)..].Trim())
            .ToList();
        report(SlimDiagnostic.Info("SLIM3703", archivePath, cli.Name, cli.Endpoint, images.Count > 0 ? string.Join(", ", images) : "(no names reported)"));
        return new LoadResult(cli, images);
    }

    /// <summary>Copies the archive to the client's stdin, with progress at normal verbosity every quarter.</summary>
    private static void Feed(string archivePath, Stream stdin, ResolvedCli cli, Action<SlimDiagnostic> report, CancellationToken ct)
    {
        using var archive = new FileStream(archivePath, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        var total = archive.Length;
        var buffer = new byte[1 << 20];
        long sent = 0;
        var quarter = 0;
        int read;
        while ((read = archive.Read(buffer, 0, buffer.Length)) > 0)
        {
            ct.ThrowIfCancellationRequested();
            stdin.WriteAsync(buffer.AsMemory(0, read), ct).AsTask().GetAwaiter().GetResult();
            sent += read;
            var now = total == 0 ? 4 : (int)(sent * 4 / total);
            if (now > quarter)
            {
                quarter = now;
                report(SlimDiagnostic.Detail("SLIM3704", archivePath, cli.Name, ByteSize.Format(sent), ByteSize.Format(total), quarter * 25));
            }
        }
        stdin.Flush();
    }

    private static string LastLines(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "(it printed nothing)" : string.Join(" | ", lines.TakeLast(5));
    }

    /// <summary>Reads a stream to its end in the background, keeping only its last <see cref="TailBytes"/> characters.</summary>
    private sealed class Tail
    {
        private readonly StringBuilder _text = new();
        private readonly Task _reading;

        public Tail(StreamReader reader) => _reading = Task.Run(async () =>
        {
            var buffer = new char[4096];
            int n;
            while ((n = await reader.ReadAsync(buffer).ConfigureAwait(false)) > 0)
                lock (_text)
                {
                    _text.Append(buffer, 0, n);
                    if (_text.Length > TailBytes) _text.Remove(0, _text.Length - TailBytes);
                }
        });

        public string Text()
        {
            _reading.Wait(TimeSpan.FromSeconds(5));
            lock (_text) return _text.ToString();
        }
    }
}
