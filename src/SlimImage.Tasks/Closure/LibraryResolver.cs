using System.Text.RegularExpressions;
using SlimImage.Diagnostics;
using SlimImage.Elf;
using SlimImage.FileSystem;

namespace SlimImage.Closure;

/// <summary>
/// Finds every shared library the publish output needs, the way glibc's ld.so would inside the sysroot, by reading
/// ELF files only (nothing is executed, no ldd). Per needed name, the search order is: SlimImageLibraryPath, DT_RPATH
/// of the needing object and of its loaders up to the main program (only while the needing object has no
/// DT_RUNPATH), DT_RUNPATH of the needing object, the ld.so.conf folders (standing in for ld.so.cache), then
/// <see cref="LoaderDirs.Default"/>. Candidates of another class or machine, and files that are not ELF, are
/// skipped as ld.so skips them.
/// </summary>
public sealed class LibraryResolver
{
    private static readonly Regex SharedLibraryName = new(@"\.so(\.|$)", RegexOptions.CultureInvariant);

    private readonly Dictionary<string, ElfReadResult> reads;
    private IReadOnlyList<string>? confDirs;
    private IReadOnlyList<LoadedObject>? inputs;
    private ElfTarget target;

    /// <param name="request">What to resolve.</param>
    /// <param name="report">Receives warnings and messages (skipped candidates, non-ELF *.so files).</param>
    public LibraryResolver(ClosureRequest request, Action<SlimDiagnostic>? report = null)
    {
        Request = request;
        Report = report ?? (_ => { });
        PublishDir = Path.TrimEndingDirectorySeparator(Path.GetFullPath(request.PublishDir));
        reads = new(StringComparer.Ordinal);
    }

    private LibraryResolver(LibraryResolver from, ClosureRequest request)
    {
        Request = request;
        Report = from.Report;
        PublishDir = from.PublishDir;
        reads = from.reads;
        confDirs = from.confDirs;
        inputs = from.inputs;
        target = from.target;
    }

    /// <summary>
    /// The same resolver with libraries to dlopen added: what is known of the sysroot and the publish output (every
    /// ELF file read, ld.so.conf) is kept, so deciding those libraries with this resolver costs no second read.
    /// </summary>
    public LibraryResolver WithExtraSonames(IReadOnlyList<ExtraSoname> extraSonames) =>
        new(this, Request with { ExtraSonames = extraSonames });

    /// <summary>
    /// The same resolver over fewer inputs (native libraries left out because they cannot load): every ELF file read
    /// stays cached, the target stays the same.
    /// </summary>
    public LibraryResolver WithInputs(IReadOnlyList<string> inputs)
    {
        var target = Target;
        return new LibraryResolver(this, Request with { Inputs = inputs, Target = target }) { inputs = null };
    }

    internal ClosureRequest Request { get; }
    internal Action<SlimDiagnostic> Report { get; }
    internal string PublishDir { get; }

    /// <summary>The class and machine libraries must have (see <see cref="ClosureRequest.Target"/>).</summary>
    public ElfTarget Target
    {
        get
        {
            LoadInputs();
            return target;
        }
    }

    /// <summary>
    /// Resolves the closure of the inputs, then of <see cref="ClosureRequest.ExtraSonames"/>. Throws SLIM2003 for a
    /// corrupt ELF file and SLIM2004 for one of another machine in the inputs; a library that cannot be found is
    /// reported in <see cref="ClosureResult.Missing"/>.
    /// </summary>
    public ClosureResult Resolve() => new ClosureWalk(this, LoadInputs()).Run();

    /// <summary>
    /// The highest-versioned <paramref name="stem"/> + integer file (e.g. stem <c>libicuuc.so.</c> finds
    /// <c>libicuuc.so.72</c>, not <c>libicuuc.so.72.1</c>) of the right class and machine in SlimImageLibraryPath,
    /// the ld.so.conf folders and the default folders; null when there is none. The .NET runtime probes such names
    /// from high to low with dlopen, so the highest present is the one it loads.
    /// </summary>
    public string? FindHighestVersionedSoname(string stem)
    {
        LoadInputs();
        var pattern = new Regex("^" + Regex.Escape(stem) + "([0-9]+)$", RegexOptions.CultureInvariant);
        (long Major, string Name)? best = null;
        foreach (var dir in SearchList(null))
        {
            var folder = dir.OnHost ? dir.Path : SysrootPath.Walk(Request.Sysroot, dir.Path).Resolution?.HostPath;
            if (folder == null || !Directory.Exists(folder)) continue;
            var names = Directory.EnumerateFileSystemEntries(folder).Select(Path.GetFileName).OfType<string>()
                .Where(n => pattern.IsMatch(n)).Order(StringComparer.Ordinal);
            foreach (var name in names)
            {
                if (!long.TryParse(pattern.Match(name).Groups[1].Value, out var major)) continue;
                if (best != null && major <= best.Value.Major) continue;
                if (Probe(dir, name, []) != null) best = (major, name);
            }
        }
        return best?.Name;
    }

    /// <summary>The folders searched for a name needed by <paramref name="needer"/> (null: a dlopen by the runtime).</summary>
    internal IReadOnlyList<SearchDir> SearchList(LoadedObject? needer, LoadedObject? main = null)
    {
        var dirs = new List<SearchDir>();
        void Add(string path, bool onHost)
        {
            // glibc turns an empty element into the working directory, which the image does not fix: skip it.
            if (path.Length == 0) return;
            var dir = new SearchDir(onHost ? path : SysrootPath.Normalize(path), onHost);
            if (!dirs.Contains(dir)) dirs.Add(dir);
        }
        void AddPath(IReadOnlyList<string>? elements, LoadedObject owner)
        {
            foreach (var e in elements ?? [])
            {
                var path = LoaderDirs.Expand(e, owner.Origin, target, Request.Sysroot);
                // A relative element is relative to the working directory at run time: unknowable here.
                // Only $ORIGIN leads back to where the owner is; any other absolute path names the image's filesystem.
                var viaOrigin = e.Contains("$ORIGIN", StringComparison.Ordinal) || e.Contains("${ORIGIN}", StringComparison.Ordinal);
                if (path.StartsWith('/')) Add(path, owner.OnHost && viaOrigin);
            }
        }

        foreach (var d in Request.ExtraLibraryDirs) Add(Path.GetFullPath(d), onHost: true);
        // An object's own DT_RUNPATH switches off every DT_RPATH for its needs (glibc's _dl_map_object), and an
        // object with both tags has its DT_RPATH dropped when it is loaded (elf_get_dynamic_info).
        if (needer?.Elf.RunPath == null)
        {
            for (var l = needer; l != null; l = l.Loader)
                if (l.Elf.RunPath == null) AddPath(l.Elf.RPath, l);
            if (main != null && main.Elf.RunPath == null) AddPath(main.Elf.RPath, main);
        }
        if (needer != null) AddPath(needer.Elf.RunPath, needer);
        var noDefault = needer?.Elf.NoDefaultLib == true;
        confDirs ??= LdSoConf.Read(Request.Sysroot);
        foreach (var d in confDirs)
            if (!(noDefault && LoaderDirs.IsDefault(d, target))) Add(d, onHost: false);
        if (!noDefault)
            foreach (var d in LoaderDirs.Default(target)) Add(d, onHost: false);
        return dirs;
    }

    /// <summary>What the loader would find opening <paramref name="name"/> in <paramref name="dir"/>, or null.</summary>
    internal Candidate? Probe(SearchDir dir, string name, List<string> skipped)
    {
        string hostPath, readPath;
        string? loaderPath = null;
        SysrootResolution? resolution = null;
        if (dir.OnHost)
        {
            hostPath = Path.Join(dir.Path, name);
            if (!File.Exists(hostPath)) return null;
            readPath = new FileInfo(hostPath).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.GetFullPath(hostPath);
        }
        else
        {
            loaderPath = dir.Path == "/" ? "/" + name : dir.Path + "/" + name;
            var walk = SysrootPath.Walk(Request.Sysroot, loaderPath);
            if (walk.LoopAt != null)
            {
                Report(SlimDiagnostic.Warning("SLIM2002", loaderPath, Request.Sysroot, walk.LoopAt));
                skipped.Add("symbolic link loop");
                return null;
            }
            if (walk.Resolution == null || walk.Resolution.IsDirectory) return null;
            resolution = walk.Resolution;
            hostPath = SysrootPath.ToHost(Request.Sysroot, loaderPath);
            readPath = resolution.HostPath;
        }

        var read = ReadCached(readPath);
        switch (read.Kind)
        {
            case ElfReadKind.NotElf:
                skipped.Add(name + " is not ELF");
                return null;
            case ElfReadKind.Corrupt:
                Report(SlimDiagnostic.Warning("SLIM2006", loaderPath ?? hostPath, name, read.CorruptReason));
                skipped.Add(name + " is damaged");
                return null;
        }
        if (!target.Matches(read.Info!))
        {
            skipped.Add($"{name} is {read.Info!.Target}");
            return null;
        }
        return new Candidate(dir, hostPath, readPath, loaderPath, resolution, read.Info!);
    }

    internal sealed record Candidate(
        SearchDir Dir, string HostPath, string RealHostPath, string? LoaderPath, SysrootResolution? Resolution, ElfInfo Elf);

    internal ElfReadResult ReadCached(string hostPath)
    {
        if (!reads.TryGetValue(hostPath, out var result)) reads[hostPath] = result = ElfReader.Read(hostPath);
        return result;
    }

    internal string PublishName(string hostPath) =>
        IsInPublishDir(hostPath) ? Path.GetRelativePath(PublishDir, hostPath).Replace('\\', '/') : hostPath;

    internal bool IsInPublishDir(string hostPath) =>
        hostPath.StartsWith(PublishDir + "/", StringComparison.Ordinal);

    private IReadOnlyList<LoadedObject> LoadInputs()
    {
        if (inputs != null) return inputs;
        var list = new List<LoadedObject>();
        foreach (var path in Request.Inputs.Select(Path.GetFullPath).Distinct().Order(StringComparer.Ordinal))
        {
            var read = ReadCached(path);
            if (read.Kind == ElfReadKind.NotElf)
            {
                if (SharedLibraryName.IsMatch(Path.GetFileName(path))) Report(SlimDiagnostic.Info("SLIM2005", path));
                continue;
            }
            if (read.Kind == ElfReadKind.Corrupt) throw new SlimException("SLIM2003", path, read.CorruptReason);
            // Relocatable objects and core files are never loaded by ld.so.
            if (read.Info!.Type is not (ElfFileType.Executable or ElfFileType.SharedObject)) continue;
            list.Add(new LoadedObject
            {
                Name = Request.InputNames.GetValueOrDefault(path) ?? PublishName(path), HostPath = path, Origin = Path.GetDirectoryName(path)!, OnHost = true, Elf = read.Info,
            });
        }
        target = Request.Target
            ?? list.FirstOrDefault(o => o.Elf.IsExecutable)?.Elf.Target
            ?? list.FirstOrDefault()?.Elf.Target
            ?? ElfTarget.Host;
        foreach (var o in list)
            if (!target.Matches(o.Elf)) throw new SlimException("SLIM2004", o.HostPath, o.Elf.Target, target);
        return inputs = list;
    }
}
