using System.Text.Json;

namespace SlimImage.Tests.Support;

/// <summary>A base image made by other tools (umoci, skopeo), in each archive form SlimImage reads.</summary>
/// <param name="Layout">The OCI layout folder umoci wrote, tag "base".</param>
/// <param name="OciArchive">skopeo copy to oci-archive: (gzip layers).</param>
/// <param name="DockerArchive">skopeo copy to docker-archive: (plain tar layers, named by file).</param>
/// <param name="ZstdArchive">skopeo copy to oci-archive: with zstd layers.</param>
/// <param name="LayerDigests">The layer digests of the gzip form, bottom first.</param>
/// <param name="DiffIds">The config's diff_ids.</param>
public sealed record TestBase(string Layout, string OciArchive, string DockerArchive, string ZstdArchive,
    IReadOnlyList<string> LayerDigests, IReadOnlyList<string> DiffIds)
{
    public const string Greeting = "hello from the base\n";
    public const string BaseUserLine = "baseuser:x:1000:1000::/home/baseuser:/bin/sh";

    /// <summary>
    /// Three layers: /opt/greeting.txt and /opt/removed.txt; /etc/passwd with a user of its own (and, when asked, the
    /// build machine's libstdc++ at its Debian path, with its soname link); a whiteout of /opt/removed.txt. Config: Env
    /// GREETING and PATH, a label, a Cmd, a user, a working folder, a port, a volume and a stop signal.
    /// </summary>
    public static TestBase Build(string dir, bool withLibstdcxx = false)
    {
        foreach (var tool in new[] { "umoci", "skopeo" }) Repo.RequireTool(tool);
        var layout = Path.Combine(dir, "layout");
        var image = layout + ":base";
        var stage1 = Path.Combine(dir, "stage1");
        Directory.CreateDirectory(Path.Combine(stage1, "opt"));
        File.WriteAllText(Path.Combine(stage1, "opt/greeting.txt"), Greeting);
        File.WriteAllText(Path.Combine(stage1, "opt/removed.txt"), "gone in the next layer\n");
        var stage2 = Path.Combine(dir, "stage2");
        Directory.CreateDirectory(Path.Combine(stage2, "etc"));
        File.WriteAllText(Path.Combine(stage2, "etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n" + BaseUserLine + "\n");
        if (withLibstdcxx)
        {
            const string lib = "/usr/lib/x86_64-linux-gnu";
            var real = new FileInfo(lib + "/libstdc++.so.6").ResolveLinkTarget(true)!.Name;
            Directory.CreateDirectory(stage2 + lib);
            File.Copy(Path.Combine(lib, real), stage2 + lib + "/" + real);
            File.CreateSymbolicLink(stage2 + lib + "/libstdc++.so.6", real);
        }
        Umoci("init", "--layout", layout);
        Umoci("new", "--image", image);
        Umoci("insert", "--image", image, stage1, "/");
        Umoci("insert", "--image", image, stage2, "/");
        Umoci("insert", "--image", image, "--whiteout", "/opt/removed.txt");
        Umoci("config", "--image", image, "--config.env", "GREETING=hello-from-base", "--config.env", "PATH=/opt/bin:/usr/bin:/bin",
            "--config.label", "base.label=kept", "--config.cmd", "/bin/false", "--config.user", "baseuser",
            "--config.workingdir", "/opt", "--config.exposedports", "9000/tcp", "--config.volume", "/data",
            "--config.stopsignal", "SIGTERM");

        var oci = Path.Combine(dir, "base-oci.tar");
        var docker = Path.Combine(dir, "base-docker.tar");
        var zstd = Path.Combine(dir, "base-zstd.tar");
        Skopeo("copy", "--quiet", "oci:" + image, "oci-archive:" + oci);
        Skopeo("copy", "--quiet", "oci:" + image, "docker-archive:" + docker + ":base:latest");
        Skopeo("copy", "--quiet", "--dest-compress-format", "zstd", "oci:" + image, "oci-archive:" + zstd);
        using var manifest = JsonDocument.Parse(Skopeo("inspect", "--raw", "oci-archive:" + oci));
        using var config = JsonDocument.Parse(Skopeo("inspect", "--config", "--raw", "oci-archive:" + oci));
        return new TestBase(layout, oci, docker, zstd,
            manifest.RootElement.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("digest").GetString()!).ToList(),
            config.RootElement.GetProperty("rootfs").GetProperty("diff_ids").EnumerateArray().Select(d => d.GetString()!).ToList());
    }

    private static void Umoci(params string[] args)
    {
        List<string> list = [.. args];
        // Without root, umoci needs --rootless to write files it cannot chown.
        if (Environment.UserName != "root" && args[0] is "insert" or "new") list.Insert(1, "--rootless");
        Repo.Run("umoci", list, timeoutSeconds: 120).EnsureSuccess();
    }

    private static string Skopeo(params string[] args) => Repo.Run("skopeo", args, timeoutSeconds: 120).EnsureSuccess().Output;
}
