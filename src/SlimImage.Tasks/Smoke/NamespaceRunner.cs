using System.Diagnostics;
using SlimImage.Diagnostics;

namespace SlimImage.Smoke;

/// <summary>
/// Runs the app in the unpacked root in new mount, pid, net, ipc and uts namespaces, as a container runtime would
/// and as <c>image-check</c> judges images: util-linux <c>unshare</c> makes the namespaces, a POSIX shell script
/// inside mounts a fresh /proc, a minimal /dev (tmpfs with null, zero, full, random, urandom, tty, shm and the fd
/// links), a read-only /sys and the runtime's /etc/hosts, /etc/hostname and /etc/resolv.conf, then waits while the build
/// sets the namespace's loopback up (<see cref="NetNamespace"/>); <c>unshare --root --wd --setgid --setuid</c> then
/// starts the app chrooted, as the image's user, with exactly the image's environment. Nothing of the host's /usr is
/// visible to the app. The shell stays the namespace's pid 1: when it dies (killed at the timeout, or because its parent
/// died: <c>--kill-child</c>, <c>setpriv --pdeathsig</c>) the kernel kills every process of the namespace.
/// </summary>
internal static class NamespaceRunner
{
    private const string Control = "slimimage-smoke: ";

    // $1 root, $2 folder of the runtime's etc files, $3 their names; the rest is the command that starts the app.
    private const string Script = """
        set -e
        root=$1; etc=$2; names=$3; shift 3
        mount -t proc -o nosuid,nodev,noexec proc "$root/proc"
        mount -t tmpfs -o nosuid,noexec,mode=755,size=65536k tmpfs "$root/dev"
        for d in null zero full random urandom tty; do
          [ -e "/dev/$d" ] || continue
          : > "$root/dev/$d"; mount --bind "/dev/$d" "$root/dev/$d"
        done
        mkdir "$root/dev/shm"; mount -t tmpfs -o nosuid,nodev,noexec,mode=1777 shm "$root/dev/shm"
        ln -s /proc/self/fd "$root/dev/fd"; ln -s /proc/self/fd/0 "$root/dev/stdin"
        ln -s /proc/self/fd/1 "$root/dev/stdout"; ln -s /proc/self/fd/2 "$root/dev/stderr"
        mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$root/sys" 2>/dev/null || { mount --rbind /sys "$root/sys"; mount -o remount,bind,ro "$root/sys"; }
        for f in $names; do mount --bind "$etc/$f" "$root/etc/$f"; done
        echo slimimage-smoke > /proc/sys/kernel/hostname
        read -r self _ < /proc/self/stat
        echo "slimimage-smoke: ready $self" >&2
        read -r go
        (read -r app _ < /proc/self/stat; echo "slimimage-smoke: app $app" >&2; exec "$@" < /dev/null 2>&1) &
        wait $! || exit $?
        """;

    /// <summary>Why the namespaces cannot be used here, or null when they can (root, util-linux unshare, mount and sh).</summary>
    public static string? Unavailable()
    {
        if (Native.GetEffectiveUserId() != 0) return "the build does not run as root";
        var missing = new[] { "unshare", "mount", "env" }.Where(t => Tools.Find(t) == null).ToList();
        if (!File.Exists("/bin/sh")) missing.Add("/bin/sh");
        return missing.Count == 0 ? null : "missing " + string.Join(", ", missing) + " (util-linux, mount, coreutils)";
    }

    public static RunOutcome Run(RootFolder root, string etcFolder, IReadOnlyList<string> etcNames, AppLaunch app, SmokeTestSettings settings,
        int port, string? traceFile, string image, Action<SlimDiagnostic> report, CancellationToken ct)
    {
        var command = Command(root, etcFolder, etcNames, app, traceFile);
        var start = new ProcessStartInfo(command[0])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var arg in command.Skip(1)) start.ArgumentList.Add(arg);
        start.Environment.Clear();
        start.Environment["PATH"] = Tools.HostPath;
        using var process = Process.Start(start) ?? throw new SlimException("SLIM5003", image, "unshare could not be started", "");
        var output = new AppOutput(process.StandardOutput, image, report);
        var control = new ControlLines(process.StandardError);
        var tree = new ProcessTree(process);
        try
        {
            var shell = control.Wait("ready", TimeSpan.FromSeconds(30), ct) ?? throw Setup(process, control, image, "its namespaces could not be set up");
            tree.Init = shell;
            if (!NetNamespace.In(shell, NetNamespace.LoopbackUp))
                throw Setup(process, control, image, "the loopback interface of its network namespace could not be brought up");
            process.StandardInput.WriteLine("go");
            process.StandardInput.Close();
            var appPid = control.Wait("app", TimeSpan.FromSeconds(10), ct) ?? throw Setup(process, control, image, "the app could not be started");
            var clock = Stopwatch.StartNew();
            var (ending, answer) = settings.UrlPath == null
                ? (Exit(process, settings.Timeout, ct) ? RunEnding.Exited : RunEnding.TimedOut, null)
                : Serve(process, shell, appPid, port, settings, ct);
            var exited = ending is RunEnding.Exited or RunEnding.ExitedBeforeAnswer;
            if (!exited) tree.Kill();
            process.WaitForExit(10_000);
            output.Finish();
            return new RunOutcome(ending, exited && process.HasExited ? process.ExitCode : null, output.Text, output.Tail, clock.Elapsed)
            {
                LastAnswer = answer,
            };
        }
        finally
        {
            // Cancelled, or a failure above: nothing of the run may outlive the build's step.
            if (!process.HasExited)
            {
                tree.Kill();
                process.WaitForExit(10_000);
            }
        }
    }

    private static List<string> Command(RootFolder root, string etcFolder, IReadOnlyList<string> etcNames, AppLaunch app, string? traceFile)
    {
        var unshare = Tools.Find("unshare")!;
        List<string> command = [];
        if (traceFile != null)
            command.AddRange([Tools.Find("strace")!, "-f", "-qq", "--seccomp-bpf", "-s", "4096",
                "-e", "trace=chroot,open,openat,openat2,execve,execveat", "-e", "status=successful", "-o", traceFile, "--"]);
        // If the build dies, so does the namespace: setpriv gives unshare a parent-death signal, --kill-child passes it on.
        if (Tools.Find("setpriv") is { } setpriv) command.AddRange([setpriv, "--pdeathsig", "KILL", "--"]);
        command.AddRange([unshare, "--mount", "--pid", "--net", "--ipc", "--uts", "--fork", "--kill-child", "--propagation", "private", "--",
            "/bin/sh", "-c", Script, "slimimage-smoke", root.Path, etcFolder, string.Join(' ', etcNames),
            Tools.Find("env")!, "-i", .. app.Env.Select(e => e.Key + "=" + e.Value),
            unshare, "--root=" + root.Path, "--wd=" + app.WorkingDir, "--setgid", Num(app.Gid), "--setuid", Num(app.Uid), "--", .. app.Argv]);
        return command;
    }

    /// <summary>Waits for the whole run to end, at most <paramref name="timeout"/>.</summary>
    private static bool Exit(Process process, TimeSpan timeout, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        try
        {
            process.WaitForExitAsync(limit.Token).GetAwaiter().GetResult();
            return true;
        }
        catch (OperationCanceledException)
        {
            ct.ThrowIfCancellationRequested();
            return false;
        }
    }

    /// <summary>
    /// A server: asks the URL until it answers 2xx, the app exits, or the timeout passes; after a 2xx the app gets
    /// SIGTERM (as <c>docker stop</c> sends) and has the timeout again to exit.
    /// </summary>
    private static (RunEnding, string?) Serve(Process process, int shell, int app, int port, SmokeTestSettings settings, CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        string? answer = null;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (process.HasExited) return (RunEnding.ExitedBeforeAnswer, answer);
            if (deadline.Elapsed >= settings.Timeout) return (RunEnding.NoAnswer, answer);
            var (status, detail) = NetNamespace.Get(shell, port, settings.UrlPath!, TimeSpan.FromSeconds(5));
            answer = detail;
            if (status is >= 200 and < 300) break;
            if (Exit(process, TimeSpan.FromMilliseconds(250), ct)) return (RunEnding.ExitedBeforeAnswer, answer);
        }
        Native.Kill(app, Native.SIGTERM);
        return (Exit(process, settings.Timeout, ct) ? RunEnding.Exited : RunEnding.StopTimedOut, answer);
    }

    private static SlimException Setup(Process process, ControlLines control, string image, string what)
    {
        process.WaitForExit(2_000);
        return new SlimException("SLIM5003", image, what, control.Other);
    }

    private static string Num(int n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The runner's own lines on stderr: "slimimage-smoke: ready PID" and "… app PID" (host pids), and any error of the setup.</summary>
    private sealed class ControlLines
    {
        private readonly Dictionary<string, int> seen = [];
        private readonly List<string> other = [];

        public ControlLines(StreamReader reader) => Task.Run(() =>
        {
            while (reader.ReadLine() is { } line)
                lock (seen)
                {
                    var parts = line.StartsWith(Control, StringComparison.Ordinal) ? line[Control.Length..].Split(' ') : [];
                    if (parts.Length == 2 && int.TryParse(parts[1], out var pid)) seen[parts[0]] = pid;
                    else if (other.Count < 50) other.Add(line);
                    Monitor.PulseAll(seen);
                }
            lock (seen)
            {
                ended = true;
                Monitor.PulseAll(seen);
            }
        });

        private bool ended;

        public string Other
        {
            get { lock (seen) return string.Join(" | ", other); }
        }

        public int? Wait(string what, TimeSpan timeout, CancellationToken ct)
        {
            var clock = Stopwatch.StartNew();
            lock (seen)
                while (true)
                {
                    if (seen.TryGetValue(what, out var pid)) return pid;
                    if (ended || clock.Elapsed >= timeout) return null;
                    ct.ThrowIfCancellationRequested();
                    Monitor.Wait(seen, 100);
                }
        }
    }

    /// <summary>
    /// Ends a run entirely: SIGKILL to the namespace's pid 1 (the kernel then kills every process in it), then to the
    /// process tree the build started (strace, unshare).
    /// </summary>
    private sealed class ProcessTree(Process process)
    {
        public int Init { get; set; }

        public void Kill()
        {
            if (Init > 0) Native.Kill(Init, Native.SIGKILL);
            try { process.Kill(entireProcessTree: true); }
            catch (InvalidOperationException) { /* already gone */ }
        }
    }
}
