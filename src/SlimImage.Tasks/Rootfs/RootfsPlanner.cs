using SlimImage.Closure;
using SlimImage.FileSystem;
using SlimImage.Publish;
using SlimImage.Runtime;
using SlimImage.Entries;

namespace SlimImage.Rootfs;

/// <summary>
/// Turns the publish output, the library closure and the user's files into the exact list of paths, modes and
/// owners of the image. Host libraries keep the layout of the sysroot they came from: every symbolic link the
/// loader's path crosses (merged-usr's /lib -> usr/lib, soname links) is recreated, so a path that works on the
/// build machine works in the image.
/// </summary>
public sealed class RootfsPlanner
{
    private const int Executable = 0b111_101_101;
    private const int Regular = 0b110_100_100;

    // Sorted once at the end: a SortedDictionary's tree code would be JIT-compiled in every MSBuild process.
    private readonly Dictionary<string, RootfsEntry> entries = new(StringComparer.Ordinal);
    private readonly List<HostFileUse> hostFiles = [];
    private readonly string sysroot;

    public RootfsPlanner(string sysroot) => this.sysroot = sysroot;

    public static RootfsPlan Plan(RootfsOptions request, PublishSelection publish, ClosureResult closure, RuntimeNeeds? needs = null)
    {
        var planner = new RootfsPlanner(request.Sysroot);
        foreach (var entry in EtcFiles.Entries())
            planner.Add(entry);
        planner.Add(RootfsEntry.Dir(RootfsOptions.AppDirectory));
        foreach (var file in publish.Kept)
            planner.Add(RootfsEntry.HostFile(RootfsOptions.AppDirectory + "/" + file.RelativePath, file.HostPath,
                ModeOf(file.HostPath), file.Origin) with { Asset = file.Asset });
        foreach (var interpreter in closure.Interpreters)
            if (interpreter.Resolution != null)
                planner.AddResolved(interpreter.Resolution, $"program interpreter of {interpreter.NeededBy}");
        var defaultDir = planner.DefaultLibraryDir(closure);
        foreach (var library in closure.Libraries)
            planner.AddLibrary(library, defaultDir);
        foreach (var extra in request.Files)
        {
            var (userEntries, use) = UserFiles.Plan(extra);
            userEntries.ForEach(planner.Add);
            planner.hostFiles.Add(use);
        }
        // After the user's files, so that a SlimImageFile at the same path (their own CA bundle) wins.
        foreach (var set in needs?.DataSets ?? [])
            if (set.Entries.Count(e => planner.entries.TryAdd(e.Path, e)) > 0)
                planner.hostFiles.Add(new HostFileUse(set.ImagePath, set.HostPath, set.Size, set.Why));
        return new RootfsPlan(planner.entries.Values.OrderBy(e => e.Path, StringComparer.Ordinal).ToList(), planner.hostFiles);
    }

    private void AddLibrary(ResolvedLibrary library, string? defaultDir)
    {
        var why = $"{library.Soname}, needed by {library.NeededBy}";
        if (library.Resolution != null)
        {
            AddResolved(library.Resolution, why);
            // The image has no ld.so.cache: a library from an ld.so.conf folder needs a name in a default folder.
            if (!library.InDefaultDir && defaultDir != null)
                Add(RootfsEntry.Link(defaultDir + "/" + library.Soname, library.Resolution.RealPath));
            return;
        }
        // A host folder outside the sysroot (SlimImageLibraryPath): its own layout means nothing in the image.
        var target = (defaultDir ?? "/usr/lib") + "/" + library.Soname;
        AddHostFile(target, library.HostPath, why, EntryOrigin.System);
    }

    private void AddResolved(SysrootResolution resolution, string why)
    {
        foreach (var link in resolution.Links)
            Add(RootfsEntry.Link(link.Path, SafeLinkTarget(link.Path, link.Target)));
        if (!resolution.IsDirectory)
            AddHostFile(resolution.RealPath, resolution.HostPath, why, EntryOrigin.System);
    }

    private void AddHostFile(string imagePath, string hostPath, string why, EntryOrigin origin)
    {
        if (entries.ContainsKey(imagePath))
            return;
        Add(RootfsEntry.HostFile(imagePath, hostPath, ModeOf(hostPath), origin, why));
        hostFiles.Add(new HostFileUse(imagePath, hostPath, new FileInfo(hostPath).Length, why));
    }

    /// <summary>The first default library folder of the sysroot, by its real path (parents may be links).</summary>
    private string? DefaultLibraryDir(ClosureResult closure)
    {
        foreach (var dir in LoaderDirs.Default(closure.Target))
        {
            var resolved = SysrootPath.Resolve(sysroot, dir);
            if (resolved is { IsDirectory: true })
            {
                foreach (var link in resolved.Links)
                    Add(RootfsEntry.Link(link.Path, SafeLinkTarget(link.Path, link.Target)));
                return resolved.RealPath;
            }
        }
        return null;
    }

    // The first entry for a path wins: /etc and /tmp as SlimImage makes them, then the app, then the libraries.
    private void Add(RootfsEntry entry) => entries.TryAdd(entry.Path, entry);

    /// <summary>
    /// A relative target that climbs above the image root would point outside the image on some extractors;
    /// rewrite it as the absolute path it means inside the root.
    /// </summary>
    internal static string SafeLinkTarget(string linkPath, string target)
    {
        if (target.StartsWith('/'))
            return target;
        var depth = linkPath.Count(c => c == '/') - 1;
        var climbs = 0;
        var parts = new List<string>(linkPath.Split('/', StringSplitOptions.RemoveEmptyEntries)[..^1]);
        foreach (var part in target.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == "..")
            {
                if (parts.Count == 0) climbs++;
                else parts.RemoveAt(parts.Count - 1);
            }
            else if (part != ".")
                parts.Add(part);
        }
        return climbs > 0 && depth >= 0 ? "/" + string.Join('/', parts) : target;
    }

    /// <summary>Executables stay executable, everything else is 0644; no setuid/setgid, no group/world write.</summary>
    internal static int ModeOf(string hostPath)
    {
        var mode = File.GetUnixFileMode(hostPath);
        return (mode & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0 ? Executable : Regular;
    }
}
