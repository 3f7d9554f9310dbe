using System.Diagnostics;
using SlimImage.Diagnostics;

namespace SlimImage.Daemon;

/// <summary>A client found on PATH, and the daemon or storage it talks to (for messages).</summary>
public sealed record ResolvedCli(DaemonCli Cli, string Path, string Endpoint)
{
    public string Name => Cli == DaemonCli.Docker ? "docker" : "podman";
}

/// <summary>
/// Finds <c>docker</c> or <c>podman</c> on PATH without running anything when the user named one. Detecting, it
/// takes docker unless docker is podman's compatibility script (podman-docker), then podman, as the SDK does.
/// </summary>
public static class CliLocator
{
    public static ResolvedCli Resolve(DaemonCli? wanted, Func<string, string?> environment)
    {
        var path = environment("PATH") ?? "";
        var docker = Find("docker", path);
        var podman = Find("podman", path);
        DaemonCli cli;
        string? file;
        if (wanted is { } w)
            (cli, file) = (w, w == DaemonCli.Docker ? docker : podman);
        else if (docker != null && (podman == null || !IsPodmanAlias(docker)))
            (cli, file) = (DaemonCli.Docker, docker);
        else
            (cli, file) = (DaemonCli.Podman, podman);
        if (file == null)
            throw new SlimException("SLIM3700", wanted is { } named ? Name(named) : "docker' or 'podman", path);
        return new ResolvedCli(cli, file, Endpoint(cli, environment));
    }

    /// <summary>Where the client sends the image, as its own documentation says it decides.</summary>
    public static string Endpoint(DaemonCli cli, Func<string, string?> environment)
    {
        if (cli == DaemonCli.Docker)
        {
            if (environment("DOCKER_HOST") is { Length: > 0 } host) return host + " (DOCKER_HOST)";
            if (environment("DOCKER_CONTEXT") is { Length: > 0 } context) return "the docker context '" + context + "' (DOCKER_CONTEXT)";
            return "unix:///var/run/docker.sock (the default; set DOCKER_HOST for another)";
        }
        return environment("CONTAINER_HOST") is { Length: > 0 } remote
            ? remote + " (CONTAINER_HOST)"
            : "podman's local storage (no daemon; set CONTAINER_HOST for a remote one)";
    }

    private static string Name(DaemonCli cli) => cli == DaemonCli.Docker ? "docker" : "podman";

    private static string? Find(string command, string path)
    {
        foreach (var dir in path.Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = System.IO.Path.Combine(dir, command);
            if (File.Exists(candidate) && (File.GetUnixFileMode(candidate) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0)
                return candidate;
        }
        return null;
    }

    /// <summary>podman-docker installs a <c>docker</c> that runs podman; its version line says so. A few seconds at most.</summary>
    private static bool IsPodmanAlias(string docker)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(docker, "--version")
            {
                RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
            });
            if (process == null) return false;
            process.StandardInput.Close();
            var output = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(5000))
            {
                process.Kill(entireProcessTree: true);
                return false;
            }
            return output.Wait(1000) && output.Result.Contains("podman", StringComparison.OrdinalIgnoreCase);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            return false;
        }
    }
}
