namespace SlimImage.Closure;

/// <summary>
/// One folder of a library search list, in the terms it was found in: a sysroot path (default dirs, ld.so.conf,
/// RPATH/RUNPATH of a sysroot library) or a host path (SlimImageLibraryPath, $ORIGIN of a publish file).
/// </summary>
/// <remarks>
/// A class, not a struct: lists and sets of it then run the runtime's shared, precompiled generic code, where a
/// struct would have the JIT compile every List/HashSet/LINQ method it touches in each MSBuild process.
/// </remarks>
internal sealed record SearchDir(string Path, bool OnHost)
{
    public override string ToString() => Path;
}

/// <summary>An object in the load graph: a publish file, or a library found while resolving.</summary>
internal sealed class LoadedObject
{
    /// <summary>How messages name it: relative path in the publish folder, loader path, or host path.</summary>
    public required string Name { get; init; }

    public required string HostPath { get; init; }

    /// <summary>What $ORIGIN expands to: the folder it was opened from, in the same terms as <see cref="OnHost"/>.</summary>
    public required string Origin { get; init; }

    public required bool OnHost { get; init; }

    public required Elf.ElfInfo Elf { get; init; }

    /// <summary>glibc's <c>l_loader</c>: the object whose DT_NEEDED made this one load, for the RPATH chain.</summary>
    public LoadedObject? Loader { get; init; }
}
