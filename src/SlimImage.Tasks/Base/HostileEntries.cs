using System.Formats.Tar;
using SlimImage.Diagnostics;
using SlimImage.Oci;

namespace SlimImage.Base;

/// <summary>
/// Entries of one base layer that no ordinary image tool writes and that runtimes treat differently: names that are
/// absolute or hold a <c>..</c> component (containerd and podman clamp them into the container's root, docker refuses
/// the layer), hard links to an absolute target, to a target outside the root, or to no entry before them. The layer
/// is reused byte for byte all the same (its digest is the base's) and SlimImage never writes any of it on the build
/// machine; the user is told, once per layer and kind, so a tampered base does not ship silently. Symbolic links
/// are not reported here: <c>etc -> /etc</c> is normal in images and resolves inside the container's root.
/// </summary>
internal sealed class HostileEntries(string baseName, Digest layer)
{
    private const int Named = 5;
    private readonly Finding names = new("SLIM3522");
    private readonly Finding hardLinks = new("SLIM3523");

    public void Check(TarEntry entry, BaseFileSystem files)
    {
        if (entry.EntryType == TarEntryType.GlobalExtendedAttributes) return;
        if (Leaves(entry.Name) is { } why)
            names.Add($"'{entry.Name}' ({why})");
        if (entry.EntryType != TarEntryType.HardLink) return;
        var target = entry.LinkName;
        var problem = Leaves(target) is { } leaves ? leaves + " target"
            : files.Get(BaseFileSystem.Clean(target) ?? "/") == null ? "no entry before it has that name" : null;
        if (problem != null)
            hardLinks.Add($"'{entry.Name}' => '{target}' ({problem})");
    }

    public void Report(Action<SlimDiagnostic> report)
    {
        foreach (var finding in new[] { names, hardLinks })
            if (finding.Count > 0)
                report(SlimDiagnostic.Warning(finding.Code, baseName, layer, finding.Count, finding.Describe()));
    }

    private static string? Leaves(string name) =>
        name.StartsWith('/') ? "absolute"
        : name.Split('/').Contains("..") ? "with '..'"
        : null;

    private sealed class Finding(string code)
    {
        private readonly List<string> first = [];

        public string Code => code;

        public int Count { get; private set; }

        public void Add(string what)
        {
            if (++Count <= Named) first.Add(what);
        }

        public string Describe() => string.Join(", ", first) + (Count > Named ? $" and {Count - Named} more" : "");
    }
}
