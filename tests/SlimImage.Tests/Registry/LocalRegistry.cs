using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using SlimImage.Tests.Support;

namespace SlimImage.Tests.Registry;

/// <summary>How the test registry authenticates.</summary>
public enum RegistryAuth { Anonymous, Htpasswd, Token }

/// <summary>
/// Debian's <c>docker-registry</c> (the CNCF distribution registry) on 127.0.0.1 at a free port, its storage in a
/// temporary folder, its config written here. It can be stopped and started again on the same port and storage
/// (to test a registry that goes away). Dispose stops it; a process-exit hook makes sure none outlives the tests.
/// </summary>
public sealed class LocalRegistry : IDisposable
{
    public const string User = "slim";
    public const string Password = "s3cret-Pa55word-for-tests";

    private static readonly ConcurrentDictionary<int, Process> Running = new();
    private readonly string _config;
    private readonly StringBuilder _log = new();
    private Process? _process;

    static LocalRegistry()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var p in Running.Values) TryKill(p);
        };
    }

    private LocalRegistry(int port, string folder, string config)
    {
        Port = port;
        Folder = folder;
        _config = config;
    }

    public int Port { get; }

    /// <summary>host:port, as SlimImageRegistry takes it.</summary>
    public string Host => $"127.0.0.1:{Port}";

    public string Folder { get; }

    public string Log { get { lock (_log) return _log.ToString(); } }

    /// <summary>Starts a registry; for <see cref="RegistryAuth.Token"/>, <paramref name="token"/> is its token service.</summary>
    public static LocalRegistry Start(RegistryAuth auth = RegistryAuth.Anonymous, TokenService? token = null)
    {
        Repo.RequireTool("docker-registry");
        var folder = Repo.NewTempDir("registry");
        var port = FreePort();
        var yaml = new StringBuilder($"""
            version: 0.1
            log:
              level: info
              formatter: text
            storage:
              filesystem:
                rootdirectory: {Path.Combine(folder, "storage")}
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:{port}
              secret: slimimage-test-secret
            health:
              storagedriver:
                enabled: false

            """);
        if (auth == RegistryAuth.Htpasswd)
        {
            Repo.RequireTool("htpasswd");
            // bcrypt is the only hash distribution's htpasswd accepts; apache2-utils makes it.
            var entry = Repo.Run("htpasswd", ["-Bbn", User, Password]).EnsureSuccess().Output.Trim();
            File.WriteAllText(Path.Combine(folder, "htpasswd"), entry + "\n");
            yaml.Append($"""
                auth:
                  htpasswd:
                    realm: slimimage-test
                    path: {Path.Combine(folder, "htpasswd")}

                """);
        }
        else if (auth == RegistryAuth.Token)
        {
            ArgumentNullException.ThrowIfNull(token);
            File.WriteAllText(Path.Combine(folder, "token-root.pem"), token.CertificatePem);
            yaml.Append($"""
                auth:
                  token:
                    realm: {token.Realm}
                    service: {TokenService.Service}
                    issuer: {TokenService.Issuer}
                    rootcertbundle: {Path.Combine(folder, "token-root.pem")}

                """);
        }
        var config = Path.Combine(folder, "config.yml");
        File.WriteAllText(config, yaml.ToString());
        var registry = new LocalRegistry(port, folder, config);
        registry.StartProcess();
        return registry;
    }

    /// <summary>Starts the registry again after <see cref="Stop"/>, on the same port and storage.</summary>
    public void StartProcess()
    {
        if (_process is { HasExited: false }) return;
        var psi = new ProcessStartInfo("docker-registry") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add("serve");
        psi.ArgumentList.Add(_config);
        var p = new Process { StartInfo = psi };
        p.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (_log) _log.AppendLine(e.Data); };
        p.OutputDataReceived += (_, e) => { if (e.Data != null) lock (_log) _log.AppendLine(e.Data); };
        p.Start();
        p.BeginErrorReadLine();
        p.BeginOutputReadLine();
        _process = p;
        Running[p.Id] = p;
        WaitUntilServing();
    }

    /// <summary>Kills the registry process (as a crash or a network cut would) and waits until the port is closed.</summary>
    public void Stop()
    {
        if (_process == null) return;
        TryKill(_process);
        Running.TryRemove(_process.Id, out _);
        _process.Dispose();
        _process = null;
    }

    public bool IsRunning => _process is { HasExited: false };

    private void WaitUntilServing()
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (_process!.HasExited)
                throw new InvalidOperationException($"docker-registry exited with {_process.ExitCode}:\n{Log}");
            try
            {
                using var response = http.GetAsync($"http://{Host}/v2/").GetAwaiter().GetResult();
                if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Unauthorized) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
            Thread.Sleep(100);
        }
        throw new TimeoutException($"docker-registry did not start on {Host}:\n{Log}");
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static void TryKill(Process p)
    {
        try
        {
            if (!p.HasExited)
            {
                p.Kill(entireProcessTree: true);
                p.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException) { }
    }

    public void Dispose()
    {
        Stop();
        try { Directory.Delete(Folder, recursive: true); }
        catch (IOException) { }
    }
}
