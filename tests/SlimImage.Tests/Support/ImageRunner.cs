using System.Text.Json;
using Xunit;

namespace SlimImage.Tests.Support;

/// <summary>What a run of an image printed, and the unpacked root it ran in.</summary>
public sealed record ImageRun(int ExitCode, string Output, string RootFs, int Uid, int Gid, IReadOnlyList<string> Argv);

/// <summary>
/// Runs an image archive's entry point the way a container runtime would, with no Docker: skopeo copies the
/// archive (verifying digests), umoci unpacks it and turns its config into a runtime spec (argv, env, cwd and
/// the uid/gid resolved through the image's own /etc/passwd), and the process runs chrooted into that root in
/// new mount, pid, net, ipc and uts namespaces, with only /proc and /dev from the host. Nothing of the host's
/// /lib or /usr is visible to it. <c>shareNetwork</c> keeps the host's network namespace (as <c>--network host</c>
/// does), so the app can reach a server the test runs on 127.0.0.1. <c>client</c> is a bash script run on the host side
/// inside the image's network namespace while the entry point runs in the background (a server's own loopback, so
/// no port of the host is taken); the run's exit code is the client's, and the app is stopped (SIGTERM) after it.
/// The client finds everything the app has printed so far in the file <c>$APP_OUTPUT</c>, so it can wait for a line
/// of a program that opens no port (a worker) instead of sleeping for a guessed time.
/// </summary>
public static class ImageRunner
{
    public static ImageRun Run(string archive, IReadOnlyList<string>? args = null, string? entrypoint = null, int timeoutSeconds = 120,
        bool shareNetwork = false, string? client = null)
    {
        foreach (var tool in new[] { "skopeo", "umoci", "unshare" })
            Repo.RequireTool(tool);
        var work = Repo.NewTempDir("run");
        var layout = Path.Combine(work, "layout");
        var bundle = Path.Combine(work, "bundle");
        // With several tags the index has one entry per tag and skopeo wants one named, as for `docker save`.
        var tag = FirstTag(archive);
        // umoci 0.4 unpacks gzip and plain layers only: zstd layers are recompressed by skopeo on the way (which also
        // checks their digests and diff_ids).
        var source = "oci-archive:" + archive + (tag == null ? "" : ":" + tag);
        var manifest = Repo.Run("skopeo", ["inspect", "--raw", source]).EnsureSuccess().Output;
        string[] recompress = manifest.Contains("tar+zstd", StringComparison.Ordinal)
            ? ["--dest-compress", "--dest-compress-format", "gzip"] : [];
        Repo.Run("skopeo", ["copy", "--quiet", .. recompress, source, $"oci:{layout}:run"]).EnsureSuccess();
        Repo.Run("umoci", ["unpack", "--image", $"{layout}:run", bundle]).EnsureSuccess();
        using var spec = JsonDocument.Parse(File.ReadAllText(Path.Combine(bundle, "config.json")));
        var process = spec.RootElement.GetProperty("process");
        var argv = process.GetProperty("args").EnumerateArray().Select(a => a.GetString()!).ToList();
        if (entrypoint != null)
            argv = [entrypoint, .. args ?? []];
        else if (args != null)
            argv = [argv[0], .. args];
        var env = process.GetProperty("env").EnumerateArray().Select(e => e.GetString()!).ToList();
        var cwd = process.GetProperty("cwd").GetString() ?? "/";
        var uid = process.GetProperty("user").GetProperty("uid").GetInt32();
        var gid = process.GetProperty("user").GetProperty("gid").GetInt32();
        var root = Path.Combine(bundle, "rootfs");
        foreach (var d in new[] { "proc", "dev" })
            Directory.CreateDirectory(Path.Combine(root, d));
        // An image of another architecture runs through qemu-user, copied into its root (nothing else of the host).
        using var config = JsonDocument.Parse(Repo.Run("skopeo", ["inspect", "--config", $"oci:{layout}:run"]).EnsureSuccess().Output);
        var arch = config.RootElement.GetProperty("architecture").GetString();
        if (arch != "amd64")
        {
            var qemu = "/usr/bin/qemu-" + (arch == "arm64" ? "aarch64" : arch) + "-static";
            Assert.True(File.Exists(qemu), $"{qemu} is missing: build/test.sh installs qemu-user-static");
            File.Copy(qemu, Path.Combine(root, ".qemu"));
            argv = ["/.qemu", .. argv];
        }

        // Outer unshare: the namespaces and the mounts. Inner unshare: chroot, chdir, drop to the image's user,
        // then exec with exactly the image's environment (env -i runs on the host side, before the chroot).
        const string script = """
            set -e
            root=$1; shift
            mount --make-rprivate /
            ip link set lo up 2>/dev/null || true
            mount -t proc proc "$root/proc"
            mount --rbind /dev "$root/dev"
            [ -z "$client" ] && exec "$@"
            mkfifo app.fifo
            tee app.out < app.fifo &
            tee=$!
            "$@" > app.fifo 2>&1 &
            app=$!
            rc=0
            APP_OUTPUT="$PWD/app.out" bash -c "$client" || rc=$?
            kill "$app" 2>/dev/null || true
            wait "$app" || true
            wait "$tee" || true
            exit $rc
            """;
        List<string> command = ["--mount", "--pid", "--fork", .. shareNetwork ? Array.Empty<string>() : ["--net"], "--ipc", "--uts",
            "/usr/bin/env", $"client={client}", "/bin/bash", "-c", script, "runner", root,
            "env", "-i", .. env, "unshare", $"--root={root}", $"--wd={cwd}", "--setgid", gid.ToString(), "--setuid", uid.ToString(), "--", .. argv];
        var result = Repo.Run("unshare", command, work, timeoutSeconds: timeoutSeconds);
        return new ImageRun(result.ExitCode, result.Output, root, uid, gid, argv);
    }

    private static string? FirstTag(string archive)
    {
        using var tar = new System.Formats.Tar.TarReader(File.OpenRead(archive));
        while (tar.GetNextEntry() is { } entry)
        {
            if (entry.Name != "index.json" || entry.DataStream == null) continue;
            using var index = JsonDocument.Parse(entry.DataStream);
            var manifests = index.RootElement.GetProperty("manifests").EnumerateArray().ToList();
            // containers/image (skopeo 1.9) looks a tag up only among OCI manifest descriptors, but takes the one
            // descriptor of an index without a tag whatever its type (ContainerImageFormat=Docker).
            if (manifests.Count == 1 && manifests[0].GetProperty("mediaType").GetString() == "application/vnd.docker.distribution.manifest.v2+json")
                return null;
            return manifests
                .Select(m => m.TryGetProperty("annotations", out var a) && a.TryGetProperty("org.opencontainers.image.ref.name", out var r) ? r.GetString() : null)
                .FirstOrDefault(t => t != null);
        }
        return null;
    }
}
