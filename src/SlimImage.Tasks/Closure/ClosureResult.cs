using SlimImage.Diagnostics;
using SlimImage.Elf;
using SlimImage.FileSystem;

namespace SlimImage.Closure;

/// <summary>Where a resolved library was found.</summary>
public enum LibrarySource
{
    /// <summary>A folder of the sysroot (default dir, ld.so.conf dir, RPATH/RUNPATH).</summary>
    Sysroot,
    /// <summary>A host folder outside the sysroot and the publish output: SlimImageLibraryPath, or $ORIGIN of such a library.</summary>
    HostFolder,
}

/// <summary>
/// A library the image needs from outside the publish output. Objects are named in <see cref="NeededBy"/> and
/// <see cref="Dependents"/> by their path relative to the publish folder (publish files), their
/// <see cref="LoaderPath"/> (sysroot libraries) or their host path (host folders).
/// </summary>
public sealed record ResolvedLibrary
{
    /// <summary>The name as needed (DT_NEEDED or dlopen), e.g. <c>libstdc++.so.6</c>.</summary>
    public required string Soname { get; init; }

    public required LibrarySource Source { get; init; }

    /// <summary>The folder searched, as written in the search list (sysroot terms for <see cref="LibrarySource.Sysroot"/>).</summary>
    public required string Directory { get; init; }

    /// <summary>
    /// The path the loader opens: <see cref="Directory"/> + "/" + soname, links not resolved, e.g.
    /// <c>/lib/x86_64-linux-gnu/libstdc++.so.6</c>. Null for <see cref="LibrarySource.HostFolder"/>.
    /// </summary>
    public string? LoaderPath { get; init; }

    /// <summary>
    /// The host path of that same name, links not resolved by SlimImage. For a sysroot library read the content from
    /// <see cref="Resolution"/>'s host path instead: the host kernel would resolve an absolute link or a ".." here
    /// against the host's root, not the sysroot's.
    /// </summary>
    public required string HostPath { get; init; }

    /// <summary>How <see cref="LoaderPath"/> resolves in the sysroot (links to recreate); null for host folders.</summary>
    public SysrootResolution? Resolution { get; init; }

    /// <summary>
    /// The folder is one of <see cref="LoaderDirs.Default"/>. The image has no ld.so.cache, so a library found
    /// anywhere else (an ld.so.conf folder, a host folder) needs a link in a default folder unless an RPATH/RUNPATH
    /// that also exists in the image leads to it.
    /// </summary>
    public required bool InDefaultDir { get; init; }

    /// <summary>The object that needed it first, or the <see cref="ExtraSoname.Reason"/> of a dlopen'ed library.</summary>
    public required string NeededBy { get; init; }

    /// <summary>Every object that needs it, in resolution order.</summary>
    public required IReadOnlyList<string> Dependents { get; init; }

    public required ElfInfo Elf { get; init; }
}

/// <summary>A needed name satisfied by a file of the publish output (by file name, DT_SONAME, or a path into it).</summary>
public sealed record PublishOutputLibrary(string Soname, string HostPath, string NeededBy);

/// <summary>A <c>PT_INTERP</c> path named by some object, and where it leads in the sysroot (null: missing).</summary>
public sealed record ProgramInterpreter(string Path, string NeededBy, SysrootResolution? Resolution, ElfInfo? Elf);

/// <summary>A needed library found nowhere. <see cref="SearchedDirs"/> notes the candidates skipped and why.</summary>
public sealed record MissingLibrary(string Soname, string NeededBy, IReadOnlyList<string> SearchedDirs)
{
    /// <summary>The SLIM2001 message for it.</summary>
    public string ToMessage() => Messages.Format("SLIM2001", Soname, NeededBy, string.Join(", ", SearchedDirs));

    public SlimException ToException() => new("SLIM2001", Soname, NeededBy, string.Join(", ", SearchedDirs));
}

/// <summary>The outcome of <see cref="LibraryResolver.Resolve"/>; every list is in deterministic resolution order.</summary>
public sealed record ClosureResult
{
    /// <summary>The sysroot the libraries were resolved in (<see cref="ClosureRequest.Sysroot"/>).</summary>
    public required string Sysroot { get; init; }

    public required ElfTarget Target { get; init; }

    /// <summary>Libraries to take from the sysroot or host folders, breadth-first.</summary>
    public required IReadOnlyList<ResolvedLibrary> Libraries { get; init; }

    /// <summary>
    /// Needs met by the publish output itself (already in the image). A need for the interpreter's own soname
    /// (libc.so.6 needs ld-linux-x86-64.so.2) found nowhere else is met by <see cref="Interpreters"/> and listed nowhere.
    /// </summary>
    public required IReadOnlyList<PublishOutputLibrary> FromPublishOutput { get; init; }

    public required IReadOnlyList<ProgramInterpreter> Interpreters { get; init; }

    public required IReadOnlyList<MissingLibrary> Missing { get; init; }

    public bool IsComplete => Missing.Count == 0 && Interpreters.All(i => i.Resolution != null);

    /// <summary>Throws SLIM2001 for the first missing library, or SLIM2008 for the first missing interpreter.</summary>
    public void ThrowIfIncomplete()
    {
        if (Missing.Count > 0) throw Missing[0].ToException();
        var interpreter = Interpreters.FirstOrDefault(i => i.Resolution == null);
        if (interpreter != null) throw new SlimException("SLIM2008", interpreter.Path, interpreter.NeededBy, Sysroot);
    }
}
