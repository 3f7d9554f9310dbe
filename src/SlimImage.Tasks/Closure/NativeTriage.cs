using SlimImage.Diagnostics;
using SlimImage.Elf;
using SlimImage.Entries;

namespace SlimImage.Closure;

/// <summary>
/// A native file the closure takes as input, with where it came from. <see cref="Keep"/>: the user's
/// <c>SlimImageNativeLibrary Keep="true"</c> (null when the user said nothing).
/// </summary>
public sealed record NativeInput(string HostPath, string Name, EntryOrigin Origin, string? Package, bool? Keep = null)
{
    /// <summary>
    /// A NuGet package's library nobody insisted on may be left out when it cannot load: packages ship builds for
    /// other C libraries or distributions and try them in turn. The app's own files and the runtime's never are.
    /// </summary>
    public bool Optional => Origin == EntryOrigin.Package && Keep != true;

    /// <summary>"NuGet package Foo 1.2.3", "the runtime pack …" or "the app", for messages.</summary>
    public string Source => Origin switch
    {
        EntryOrigin.Package => "NuGet package " + (Package ?? "(unknown)"),
        EntryOrigin.Runtime => "the runtime pack" + (Package == null ? "" : " " + Package),
        _ => "the app",
    };
}

/// <summary>A native file left out because it cannot load in the image, and why.</summary>
public sealed record UnloadableNative(NativeInput File, string Why);

/// <summary>The closure of what stays, and what was left out.</summary>
public sealed record TriageResult(ClosureResult Closure, LibraryResolver Resolver, IReadOnlyList<UnloadableNative> LeftOut);

/// <summary>
/// Decides which native libraries can load in the image. The image has what the build machine has, so a library that
/// could not load here (another C library, another class or machine, a dependency the build machine lacks) cannot
/// load there either: a package's library of that kind is left out with a warning instead of failing the build, as
/// long as nothing that must load needs it. A missing dependency of the program, of the runtime, of the app's own
/// libraries or of a package library they need stays SLIM2001, which then names the package.
/// </summary>
public static class NativeTriage
{
    /// <summary>Inputs that can never load for the target (wrong class or machine): decided before any search.</summary>
    public static List<UnloadableNative> WrongTarget(IEnumerable<NativeInput> natives, ElfTarget target)
    {
        var result = new List<UnloadableNative>();
        foreach (var native in natives.Where(n => n.Optional))
        {
            var read = ElfReader.Read(native.HostPath);
            if (read.Kind == ElfReadKind.Elf && !target.Matches(read.Info!))
                result.Add(new UnloadableNative(native, $"it is built for {read.Info!.Target}, the image is {target}"));
        }
        return result;
    }

    /// <summary>
    /// Resolves, leaving out one optional library per round whose load fails, until the closure is complete or a
    /// failure belongs to something that must load (then SLIM2001/SLIM2008 with its package named).
    /// </summary>
    public static TriageResult Resolve(LibraryResolver resolver, IReadOnlyList<NativeInput> natives, IReadOnlyList<ExtraSoname> extra,
        IReadOnlyList<UnloadableNative> leftOut)
    {
        var byName = new Dictionary<string, NativeInput>(StringComparer.Ordinal);
        foreach (var n in natives)
            byName.TryAdd(resolver.Request.InputNames.GetValueOrDefault(n.HostPath) ?? resolver.PublishName(n.HostPath), n);
        var dropped = leftOut.ToList();
        var required = RequiredByMandatory(resolver, natives);
        // Each round leaves one input out, so there are at most as many rounds as inputs.
        for (var round = 0; ; round++)
        {
            var closure = resolver.WithExtraSonames(extra).Resolve();
            if (closure.IsComplete || round > natives.Count)
                return Finish(closure, resolver, dropped);
            var failure = FirstDroppable(closure, byName, dropped, required);
            if (failure == null)
                return Finish(closure, resolver, dropped);
            dropped.Add(failure);
            var gone = dropped.Select(d => d.File.HostPath).ToHashSet(StringComparer.Ordinal);
            resolver = resolver.WithInputs(resolver.Request.Inputs.Where(i => !gone.Contains(Path.GetFullPath(i))).ToList());
        }

        TriageResult Finish(ClosureResult closure, LibraryResolver final, List<UnloadableNative> left)
        {
            if (closure.Missing.Count > 0)
            {
                var m = closure.Missing[0];
                throw new MissingLibrary(m.Soname, Describe(m.NeededBy, closure, byName, required), m.SearchedDirs).ToException();
            }
            var interpreter = closure.Interpreters.FirstOrDefault(i => i.Resolution == null);
            if (interpreter != null)
                throw new SlimException("SLIM2008", interpreter.Path, Describe(interpreter.NeededBy, closure, byName, required), closure.Sysroot);
            return new TriageResult(closure, final, left);
        }
    }

    private static UnloadableNative? FirstDroppable(ClosureResult closure, Dictionary<string, NativeInput> byName,
        List<UnloadableNative> dropped, HashSet<string> required)
    {
        foreach (var missing in closure.Missing)
        {
            var root = RootOf(missing.NeededBy, closure, byName, dropped);
            if (root != null && root.Optional && !required.Contains(root.HostPath))
                return new UnloadableNative(root, WhyMissing(missing.Soname, missing.NeededBy, byName.GetValueOrDefault(missing.NeededBy) == root));
        }
        foreach (var interpreter in closure.Interpreters.Where(i => i.Resolution == null))
        {
            var root = RootOf(interpreter.NeededBy, closure, byName, dropped);
            if (root != null && root.Optional && !required.Contains(root.HostPath))
                return new UnloadableNative(root, interpreter.Path.Contains("ld-musl", StringComparison.Ordinal)
                    ? $"it is built for musl libc (its program interpreter {interpreter.Path} is not on the build machine)"
                    : $"its program interpreter {interpreter.Path} is not on the build machine");
        }
        return null;
    }

    private static string WhyMissing(string soname, string needer, bool direct)
    {
        var through = direct ? "" : $" (through {needer})";
        return soname.StartsWith("libc.musl-", StringComparison.Ordinal) || soname.StartsWith("ld-musl-", StringComparison.Ordinal)
            ? $"it is built for musl libc: it needs {soname}{through}, which a glibc system does not have"
            : $"it needs {soname}{through}, which the build machine does not have";
    }

    /// <summary>
    /// The input whose loading brings in the object named <paramref name="name"/>: up the chain of first needers. A
    /// library already left out but found again by a search (an $ORIGIN RUNPATH) passes the blame to whoever needed it.
    /// </summary>
    private static NativeInput? RootOf(string name, ClosureResult closure, Dictionary<string, NativeInput> byName, List<UnloadableNative> dropped)
    {
        for (var depth = 0; depth < 256; depth++)
        {
            if (byName.TryGetValue(name, out var input))
            {
                if (!dropped.Any(d => d.File == input)) return input;
                var again = closure.FromPublishOutput.FirstOrDefault(p => Path.GetFullPath(p.HostPath) == input.HostPath);
                if (again == null) return null;
                name = again.NeededBy;
                continue;
            }
            var library = closure.Libraries.FirstOrDefault(l => (l.LoaderPath ?? l.HostPath) == name);
            if (library == null) return null; // a runtime probe (ICU, OpenSSL): the runtime's own need
            name = library.NeededBy;
        }
        return null;
    }

    /// <summary>The needer's name with the package it came from, and who needs that package library, for SLIM2001.</summary>
    private static string Describe(string neededBy, ClosureResult closure, Dictionary<string, NativeInput> byName, HashSet<string> required)
    {
        var root = RootOf(neededBy, closure, byName, []);
        if (root == null || root.Origin == EntryOrigin.App && root.Package == null) return neededBy;
        var whose = root.Name == neededBy ? $"{neededBy} (from {root.Source}" : $"{neededBy} (loaded for {root.Name} from {root.Source}";
        return whose + (required.Contains(root.HostPath) ? ", which the app's own native files need)" : ")");
    }

    /// <summary>
    /// Package libraries that what must load needs (DT_NEEDED, by file name or soname, as the closure matches
    /// publish files): those cannot be left out.
    /// </summary>
    private static HashSet<string> RequiredByMandatory(LibraryResolver resolver, IReadOnlyList<NativeInput> natives)
    {
        var infos = new Dictionary<string, ElfInfo>(StringComparer.Ordinal);
        foreach (var n in natives)
            if (resolver.ReadCached(n.HostPath) is { Kind: ElfReadKind.Elf, Info: { } info }) infos[n.HostPath] = info;
        var byLoadName = new Dictionary<string, NativeInput>(StringComparer.Ordinal);
        foreach (var n in natives.Where(n => infos.ContainsKey(n.HostPath))) byLoadName.TryAdd(Path.GetFileName(n.HostPath), n);
        foreach (var n in natives.Where(n => infos.ContainsKey(n.HostPath)))
            if (infos[n.HostPath].Soname is { } soname) byLoadName.TryAdd(soname, n);
        var required = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<NativeInput>(natives.Where(n => !n.Optional && infos.ContainsKey(n.HostPath)));
        var seen = queue.Select(n => n.HostPath).ToHashSet(StringComparer.Ordinal);
        while (queue.TryDequeue(out var n))
            foreach (var need in infos[n.HostPath].Needed)
                if (byLoadName.TryGetValue(need, out var dep) && seen.Add(dep.HostPath))
                {
                    if (dep.Optional) required.Add(dep.HostPath);
                    queue.Enqueue(dep);
                }
        return required;
    }
}
