using SlimImage.Diagnostics;
using SlimImage.Elf;
using SlimImage.FileSystem;

namespace SlimImage.Closure;

/// <summary>
/// One breadth-first pass over the load graph, the order in which ld.so maps dependencies (_dl_map_object_deps).
/// A name is looked up once: like ld.so, which matches later needs against the names and sonames of objects already
/// loaded, the first resolution of a name serves every later need of it.
/// </summary>
internal sealed class ClosureWalk(LibraryResolver resolver, IReadOnlyList<LoadedObject> inputs)
{
    private sealed class Entry
    {
        public required ResolvedLibrary Library { get; init; }
        public List<string> Dependents { get; } = [];
    }

    private readonly Dictionary<string, Entry?> byName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> publishByName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LoadedObject> objects = new(StringComparer.Ordinal);
    private readonly Queue<LoadedObject> queue = new();
    private readonly List<Entry> libraries = [];
    private readonly List<PublishOutputLibrary> fromPublish = [];
    private readonly List<MissingLibrary> missing = [];
    private readonly List<ProgramInterpreter> interpreters = [];
    private readonly LoadedObject? main = inputs.FirstOrDefault(o => o.Elf.IsExecutable);

    public ClosureResult Run()
    {
        foreach (var input in inputs)
        {
            objects[RealPath(input.HostPath)] = input;
            publishByName.TryAdd(Path.GetFileName(input.HostPath), input.HostPath);
        }
        // A soname match comes after every file-name match, so a file literally named X wins over a soname X.
        foreach (var input in inputs)
            if (input.Elf.Soname is { } soname) publishByName.TryAdd(soname, input.HostPath);
        foreach (var input in inputs) queue.Enqueue(input);
        Drain();
        foreach (var extra in resolver.Request.ExtraSonames)
        {
            Need(extra.Soname, null, extra.Reason);
            Drain();
        }
        return new ClosureResult
        {
            Sysroot = resolver.Request.Sysroot,
            Target = resolver.Target,
            Libraries = libraries.Select(e => e.Library with { Dependents = e.Dependents.ToList() }).ToList(),
            FromPublishOutput = fromPublish,
            Interpreters = interpreters,
            Missing = missing,
        };
    }

    private void Drain()
    {
        while (queue.TryDequeue(out var obj))
        {
            if (obj.Elf.Interpreter is { } interp) AddInterpreter(interp, obj.Name);
            foreach (var name in obj.Elf.Needed) Need(name, obj, obj.Name);
        }
    }

    private void Need(string name, LoadedObject? needer, string neededBy)
    {
        if (byName.TryGetValue(name, out var known))
        {
            if (known != null && !known.Dependents.Contains(neededBy)) known.Dependents.Add(neededBy);
            return;
        }
        if (!name.Contains('/') && publishByName.TryGetValue(name, out var publishFile))
        {
            byName[name] = null;
            fromPublish.Add(new PublishOutputLibrary(name, publishFile, neededBy));
            return;
        }

        IReadOnlyList<SearchDir> dirs;
        var fileName = name;
        if (name.Contains('/'))
        {
            // ld.so opens a name with a slash as it is, no search; a relative one against the working directory,
            // which is only known at run time.
            var slash = name.LastIndexOf('/');
            dirs = name.StartsWith('/') ? [new SearchDir(slash == 0 ? "/" : name[..slash], false)] : [];
            fileName = name[(slash + 1)..];
        }
        else
        {
            dirs = resolver.SearchList(needer, main);
        }

        var searched = new List<string>();
        foreach (var dir in dirs)
        {
            var skipped = new List<string>();
            var found = resolver.Probe(dir, fileName, skipped);
            searched.Add(skipped.Count == 0 ? dir.Path : $"{dir.Path} ({string.Join("; ", skipped)}: skipped)");
            if (found == null) continue;
            Found(name, found, needer, neededBy);
            return;
        }

        byName[name] = null;
        // ld.so is loaded before anything else, so a need for its soname (libc.so.6 needs ld-linux-x86-64.so.2) is
        // met by the interpreter already mapped, wherever it lives.
        if (interpreters.Any(i => i.Elf?.Soname == name)) return;
        missing.Add(new MissingLibrary(name, neededBy, searched.Count > 0 ? searched : ["(a relative path: not searched)"]));
    }

    private void Found(string name, LibraryResolver.Candidate found, LoadedObject? needer, string neededBy)
    {
        var inPublish = found.Dir.OnHost && resolver.IsInPublishDir(found.RealHostPath);
        var objectName = inPublish ? resolver.PublishName(found.HostPath) : found.LoaderPath ?? found.HostPath;
        if (!objects.ContainsKey(found.RealHostPath))
        {
            var obj = new LoadedObject
            {
                Name = objectName,
                HostPath = found.HostPath,
                Origin = found.Dir.Path,
                OnHost = found.Dir.OnHost,
                Elf = found.Elf,
                Loader = needer,
            };
            objects[found.RealHostPath] = obj;
            queue.Enqueue(obj);
        }
        if (inPublish)
        {
            byName[name] = null;
            fromPublish.Add(new PublishOutputLibrary(name, found.HostPath, neededBy));
            return;
        }
        var entry = new Entry
        {
            Library = new ResolvedLibrary
            {
                Soname = name,
                Source = found.Dir.OnHost ? LibrarySource.HostFolder : LibrarySource.Sysroot,
                Directory = found.Dir.Path,
                LoaderPath = found.LoaderPath,
                HostPath = found.HostPath,
                Resolution = found.Resolution,
                InDefaultDir = !found.Dir.OnHost && LoaderDirs.IsDefault(found.Dir.Path, resolver.Target),
                NeededBy = neededBy,
                Dependents = [],
                Elf = found.Elf,
            },
        };
        entry.Dependents.Add(neededBy);
        byName[name] = entry;
        // Later needs of this library's soname match the loaded object (glibc's _dl_name_match_p), not a new search.
        if (found.Elf.Soname is { } soname) byName.TryAdd(soname, entry);
        libraries.Add(entry);
    }

    private static string RealPath(string hostPath) =>
        new FileInfo(hostPath).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? hostPath;

    private void AddInterpreter(string path, string neededBy)
    {
        if (interpreters.Any(i => i.Path == path)) return;
        SysrootResolution? resolution = null;
        if (path.StartsWith('/'))
        {
            var walk = SysrootPath.Walk(resolver.Request.Sysroot, path);
            if (walk.LoopAt != null)
                resolver.Report(SlimDiagnostic.Warning("SLIM2002", path, resolver.Request.Sysroot, walk.LoopAt));
            if (walk.Resolution is { IsDirectory: false }) resolution = walk.Resolution;
        }
        var read = resolution == null ? null : resolver.ReadCached(resolution.HostPath);
        interpreters.Add(new ProgramInterpreter(path, neededBy, resolution, read?.Info));
    }
}
