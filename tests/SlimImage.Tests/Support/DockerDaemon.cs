using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace SlimImage.Tests.Support;

/// <summary>
/// A private Docker Engine (Debian's <c>docker.io</c>) for one test class: its own socket, data and exec roots in a
/// temporary folder, no iptables, no bridge, vfs storage, so nothing of the machine's own docker is touched.
/// Containers run with <c>--network none</c>. Dispose stops it; a process-exit hook makes sure none outlives the tests.
/// </summary>
public sealed class DockerDaemon : IDisposable
{
    private static readonly ConcurrentDictionary<int, Process> Running = new();
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    static DockerDaemon()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var p in Running.Values) Stop(p);
        };
    }

    public DockerDaemon()
    {
        Repo.RequireTool("dockerd");
        Repo.RequireTool("docker");
        // A unix socket path must stay under 108 bytes: the folder's name is short on purpose.
        Folder = Directory.CreateTempSubdirectory("sid").FullName;
        Socket = Path.Combine(Folder, "d.sock");
        var psi = new ProcessStartInfo("dockerd")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in new[] { "--iptables=false", "--ip6tables=false", "--bridge=none", "--storage-driver=vfs",
                     "--data-root", Path.Combine(Folder, "root"), "--exec-root", Path.Combine(Folder, "exec"),
                     "-H", "unix://" + Socket, "--pidfile", Path.Combine(Folder, "pid") })
            psi.ArgumentList.Add(a);
        _process = new Process { StartInfo = psi };
        _process.OutputDataReceived += (_, e) => { if (e.Data != null) lock (_log) _log.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (_log) _log.AppendLine(e.Data); };
        _process.Start();
        Running[_process.Id] = _process;
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (Docker("version").ExitCode != 0)
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
                throw new InvalidOperationException("dockerd did not start:\n" + Log);
            Thread.Sleep(250);
        }
    }

    public string Folder { get; }
    public string Socket { get; }

    /// <summary>DOCKER_HOST for clients of this daemon.</summary>
    public string Host => "unix://" + Socket;

    public string Log { get { lock (_log) return _log.ToString(); } }

    /// <summary>Runs the docker client against this daemon.</summary>
    public ProcessResult Docker(params string[] args) =>
        Repo.Run("docker", args, environment: new Dictionary<string, string?> { ["DOCKER_HOST"] = Host, ["DOCKER_CONTEXT"] = null }, timeoutSeconds: 120);

    public void Dispose()
    {
        Running.TryRemove(_process.Id, out _);
        Stop(_process);
        _process.Dispose();
        try { Directory.Delete(Folder, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* a mount the daemon left; the temp folder goes later */ }
    }

    private static void Stop(Process p)
    {
        try
        {
            if (p.HasExited) return;
            Repo.Run("kill", ["-TERM", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            if (!p.WaitForExit(20000)) p.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception) { }
    }
}
