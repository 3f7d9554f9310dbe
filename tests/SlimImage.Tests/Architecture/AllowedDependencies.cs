namespace SlimImage.Tests.Architecture;

/// <summary>
/// The one place that says which folder of src/SlimImage.Tasks may use which (folder = the second segment of the
/// namespace, SlimImage.&lt;Folder&gt;[.Sub]). README.md's "How it works" states the same order in words.
/// </summary>
/// <remarks>
/// A straight pipeline over a shared vocabulary, data flowing one way:
///
///   leaves    Diagnostics, FileSystem, Oci, Entries, Tar, Elf: the vocabulary every stage may use (messages and sizes,
///             host files and the sysroot, the OCI model, the rootfs entry model, reproducible tar writing, ELF
///             reading). Among themselves: Diagnostics &lt;- FileSystem &lt;- Oci &lt;- Elf, Entries &lt;- Diagnostics
///             only, and Tar writes Entries through FileSystem.
///   stages    Publish, Runtime, Closure, Registry, Base, Rootfs, Layers, Image, Output, Daemon, Incremental, and the
///             newer Sbom, Smoke, Report: each uses the leaves, and a later stage only the earlier stages whose data
///             it consumes (Closure reads Publish's files, Runtime resolves its dlopen names with Closure's resolver, Rootfs
///             plans the closure and the runtime's data, Base pulls
///             through Registry, Sbom and Report describe the results of the stages before them).
///   Pipeline  the only folder that knows more than one stage: it builds each stage's options and orders them.
///   Tasks     the MSBuild adapters: parse properties, call Pipeline.
///
/// A new folder must be placed here before the architecture test passes; a dependency not listed fails it,
/// and so does any cycle. Everything the compiler generates (closures, state machines) counts for the folder of
/// the type that contains it.
/// </remarks>
internal static class AllowedDependencies
{
    private static readonly string[] Leaves = ["Diagnostics", "FileSystem", "Oci", "Entries", "Tar", "Elf"];

    private static readonly string[] Stages =
    [
        "Publish", "Closure", "Runtime", "Registry", "Base", "Rootfs", "Layers", "Image", "Output", "Daemon",
        "Incremental", "Sbom", "Smoke", "Report", "Platforms",
    ];

    /// <summary>Folder → the folders it may use (its own is always allowed).</summary>
    public static IReadOnlyDictionary<string, IReadOnlySet<string>> Table { get; } = Build(new Dictionary<string, string[]>
    {
        ["Diagnostics"] = [],
        ["FileSystem"] = ["Diagnostics"],
        ["Oci"] = ["Diagnostics", "FileSystem"],
        ["Entries"] = ["Diagnostics"],
        ["Tar"] = ["Diagnostics", "FileSystem", "Entries"],
        ["Elf"] = ["Diagnostics", "FileSystem", "Oci"],

        ["Publish"] = [.. Leaves],
        ["Closure"] = [.. Leaves, "Publish"],
        ["Runtime"] = [.. Leaves, "Publish", "Closure"],
        ["Registry"] = [.. Leaves],
        ["Base"] = [.. Leaves, "Registry"],
        ["Rootfs"] = [.. Leaves, "Publish", "Runtime", "Closure"],
        ["Layers"] = [.. Leaves],
        ["Image"] = [.. Leaves],
        ["Output"] = [.. Leaves],
        ["Daemon"] = [.. Leaves],
        ["Incremental"] = [.. Leaves],
        ["Sbom"] = [.. Leaves, "Publish", "Rootfs"],
        ["Smoke"] = [.. Leaves],
        ["Report"] = [.. Leaves, "Publish", "Rootfs", "Layers", "Base"],
        ["Platforms"] = [.. Leaves],

        ["Pipeline"] = [.. Leaves, .. Stages],
        ["Tasks"] = [.. Leaves, "Pipeline"],
    });

    private static Dictionary<string, IReadOnlySet<string>> Build(Dictionary<string, string[]> table) =>
        table.ToDictionary(pair => pair.Key, pair => (IReadOnlySet<string>)new SortedSet<string>(pair.Value, StringComparer.Ordinal), StringComparer.Ordinal);
}
