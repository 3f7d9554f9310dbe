using SlimImage.Diagnostics;

namespace SlimImage.Smoke;

/// <summary>What the unpacked root gets before the run, and how the app is started in it.</summary>
/// <param name="Launch">argv, env, uid, gid and working folder.</param>
/// <param name="EtcNames">The files of /etc the runtime provides (bind-mounted over the image's).</param>
/// <param name="Added">Image paths made for the run, not the image's: left out of the file-use report.</param>
/// <param name="Qemu">The qemu-user binary a foreign image runs through, or null.</param>
internal sealed record PreparedRoot(AppLaunch Launch, IReadOnlyList<string> EtcNames, IReadOnlySet<string> Added, string? Qemu);

/// <summary>
/// Readies an unpacked image for its run as runc would: mount points /proc, /dev and /sys as real folders, the
/// working folder created when missing, /etc/hosts, /etc/hostname and /etc/resolv.conf from the runtime (only where /etc
/// is a real folder and the file no link, so no mount lands outside the root), and for an image of another
/// architecture the build machine's static qemu-user copied in.
/// </summary>
internal static class RunRoot
{
    private const string QemuPath = "/.slimimage-qemu";
    private static readonly string[] EtcFiles = ["hosts", "hostname", "resolv.conf"];

    public static PreparedRoot Prepare(RootFolder root, SmokeImage image, SmokeOptions options, string etcFolder)
    {
        var added = new HashSet<string>(StringComparer.Ordinal) { "/proc", "/dev", "/sys" };
        foreach (var mount in new[] { "proc", "dev", "sys" })
        {
            var path = root.Path + "/" + mount;
            if (RootFolder.Exists(path) && (RootFolder.LinkTarget(path) != null || !Directory.Exists(path))) RootFolder.Remove(path);
            Directory.CreateDirectory(path);
        }
        var workingDir = image.WorkingDir.StartsWith('/') ? image.WorkingDir : "/" + image.WorkingDir;
        if (root.Resolve(workingDir) is { } wd && !RootFolder.Exists(wd)) Directory.CreateDirectory(wd);

        Directory.CreateDirectory(etcFolder);
        File.WriteAllText(Path.Combine(etcFolder, "hosts"), "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\tslimimage-smoke\n");
        File.WriteAllText(Path.Combine(etcFolder, "hostname"), "slimimage-smoke\n");
        File.WriteAllText(Path.Combine(etcFolder, "resolv.conf"), ResolvConf());
        var names = new List<string>();
        var etc = root.Path + "/etc";
        if (Directory.Exists(etc) && RootFolder.LinkTarget(etc) == null)
            foreach (var name in EtcFiles)
            {
                var path = etc + "/" + name;
                if (RootFolder.LinkTarget(path) != null || Directory.Exists(path)) continue;
                if (!RootFolder.Exists(path))
                {
                    File.WriteAllText(path, "");
                    added.Add("/etc/" + name);
                }
                names.Add(name);
            }

        var (uid, gid) = ImageUser.Resolve(image.User, root, image.Name);
        var argv = image.Argv(options.Settings.Args).ToList();
        string? qemu = null;
        if (image.Architecture.Length > 0 && image.Architecture != options.HostArchitecture)
        {
            var name = "qemu-" + QemuArch(image.Architecture) + "-static";
            var host = Tools.Find(name) ?? throw new SlimException("SLIM5008", image.Name, image.Architecture, name);
            var inRoot = root.Path + QemuPath;
            if (RootFolder.Exists(inRoot)) RootFolder.Remove(inRoot);
            File.Copy(host, inRoot);
            File.SetUnixFileMode(inRoot, (UnixFileMode)0b111_101_101);
            added.Add(QemuPath);
            // qemu-user is given the program by its path: binfmt_misc may not know the architecture, and PATH is ours to search.
            argv = [QemuPath, Program(root, argv[0], workingDir, image.Env), .. argv.Skip(1)];
            qemu = name;
        }
        var env = image.Env.Any(e => e.Key == "PATH") ? image.Env : [.. image.Env, KeyValuePair.Create("PATH", Tools.HostPath)];
        if (!env.Any(e => e.Key == "HOSTNAME")) env = [.. env, KeyValuePair.Create("HOSTNAME", "slimimage-smoke")];
        return new PreparedRoot(new AppLaunch(argv, env, uid, gid, workingDir), names, added, qemu);
    }

    /// <summary>Removes the run's folder; a run's leftovers (a read-only folder the app made) do not stop it.</summary>
    public static void Remove(string folder)
    {
        try
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The scratch folder around it goes at the end of the build, or with the next build's sweep.
        }
    }

    /// <summary>The host's resolv.conf without loopback name servers, which would be the namespace's own loopback (as Docker does).</summary>
    private static string ResolvConf()
    {
        try
        {
            var info = new FileInfo("/etc/resolv.conf");
            if (!info.Exists || info.Length > 64 * 1024) return "";
            return string.Concat(File.ReadAllLines(info.FullName)
                .Where(l => !(l.TrimStart().StartsWith("nameserver", StringComparison.Ordinal) && (l.Contains(" 127.", StringComparison.Ordinal) || l.Contains(" ::1", StringComparison.Ordinal))))
                .Select(l => l + "\n"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    private static string QemuArch(string goarch) => goarch switch
    {
        "amd64" => "x86_64",
        "arm64" => "aarch64",
        "386" => "i386",
        _ => goarch,
    };

    /// <summary>argv[0] as a path in the image: searched on the image's PATH when it has no slash, as execvp would.</summary>
    private static string Program(RootFolder root, string name, string workingDir, IReadOnlyList<KeyValuePair<string, string>> env)
    {
        if (name.StartsWith('/')) return name;
        if (name.Contains('/')) return workingDir.TrimEnd('/') + "/" + name;
        var path = env.LastOrDefault(e => e.Key == "PATH").Value ?? Tools.HostPath;
        foreach (var dir in path.Split(':', StringSplitOptions.RemoveEmptyEntries))
            if (root.Resolve(dir + "/" + name) is { } host && File.Exists(host))
                return dir.TrimEnd('/') + "/" + name;
        return name;
    }
}
