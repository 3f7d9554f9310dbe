using SlimImage.Elf;

namespace SlimImage.Closure;

/// <summary>A library the .NET runtime opens with dlopen (so no DT_NEEDED names it), and why.</summary>
/// <param name="Soname">The name passed to dlopen, e.g. <c>libicuuc.so.72</c>.</param>
/// <param name="Reason">Shown as "needed by" in messages, e.g. "ICU probe of System.Globalization.Native".</param>
public sealed record ExtraSoname(string Soname, string Reason);

/// <summary>What <see cref="LibraryResolver"/> resolves: the publish output's ELF files and the libraries they need.</summary>
public sealed record ClosureRequest
{
    /// <summary>The root filesystem libraries come from, on the host: "/" for the build machine itself.</summary>
    public string Sysroot { get; init; } = "/";

    /// <summary>The host folder of the <c>dotnet publish</c> output, e.g. <c>bin/Release/net8.0/linux-x64/publish</c>.</summary>
    public required string PublishDir { get; init; }

    /// <summary>
    /// Host paths of the publish output's candidate ELF files (the apphost, *.so*). They are processed in ordinal
    /// order whatever order they come in. A file named *.so* that is not ELF is reported (SLIM2005) and skipped.
    /// </summary>
    public required IReadOnlyList<string> Inputs { get; init; }

    /// <summary>
    /// How messages name inputs that are not files of the publish folder (host path → name), e.g. a library embedded
    /// in a single-file bundle and written out by SlimImage: "libe_sqlite3.so in the bundle MyApp".
    /// </summary>
    public IReadOnlyDictionary<string, string> InputNames { get; init; } = new Dictionary<string, string>();

    /// <summary>SlimImageLibraryPath: host folders searched before anything else, like LD_LIBRARY_PATH.</summary>
    public IReadOnlyList<string> ExtraLibraryDirs { get; init; } = [];

    /// <summary>Libraries loaded with dlopen, resolved (with their own dependencies) after the DT_NEEDED closure.</summary>
    public IReadOnlyList<ExtraSoname> ExtraSonames { get; init; } = [];

    /// <summary>
    /// The class and machine a library must have. Default: that of the first executable among the inputs, else of the
    /// first ELF input, else of the process running SlimImage.
    /// </summary>
    public ElfTarget? Target { get; init; }
}
