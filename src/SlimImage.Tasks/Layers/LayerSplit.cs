using SlimImage.Entries;

namespace SlimImage.Layers;

/// <summary>One layer to write: its entries and the history text that describes it.</summary>
public sealed record LayerContent(string CreatedBy, IReadOnlyList<RootfsEntry> Entries);

/// <summary><c>SlimImageLayering</c>: how SlimImage's own files are cut into layers.</summary>
public enum Layering
{
    /// <summary>By rate of change (the default): build machine files, .NET runtime, NuGet packages, the app.</summary>
    Split,

    /// <summary>Everything in one layer (a "squashed" image).</summary>
    Single,
}

/// <summary>
/// Splits the rootfs plan into layers by how often their content changes, slowest first, as jib splits dependencies
/// from classes: (a) files from the build machine (libraries, /etc, certificates, ICU, zoneinfo), (b) the .NET
/// runtime part of the publish output, (c) files from NuGet packages, (d) the app's own files. A code change then
/// changes only the last layer's digest, and a registry or a node that has the others skips them. Empty layers are
/// left out.
/// </summary>
public static class LayerSplit
{
    private static readonly (EntryOrigin Origin, string What)[] Order =
    [
        (EntryOrigin.System, "files from the build machine (libraries, /etc)"),
        (EntryOrigin.Runtime, ".NET runtime"),
        (EntryOrigin.Package, "NuGet packages"),
        (EntryOrigin.App, "app files"),
    ];

    /// <summary>Reads <c>SlimImageLayering</c>: empty or "split", or "single". Throws SLIM1300 for anything else.</summary>
    public static Layering Parse(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "split" => Layering.Split,
        "single" => Layering.Single,
        _ => throw new Diagnostics.SlimException("SLIM1300", value),
    };

    public static IReadOnlyList<LayerContent> Split(RootfsPlan plan, string appName, Layering layering = Layering.Split)
    {
        if (layering == Layering.Single)
            return plan.Entries.Count == 0 ? [] : [new LayerContent($"SlimImage: {appName}, all files in one layer", plan.Entries)];

        var directories = plan.Entries.Where(e => e.Kind == EntryKind.Directory).ToDictionary(e => e.Path, StringComparer.Ordinal);
        var layers = new List<LayerContent>();
        foreach (var (origin, what) in Order)
        {
            // A folder listed in the plan lands in the layer of its origin (System unless said otherwise); each layer
            // also repeats the planned folders above its files, with the same mode and owner, because a folder the
            // layer writer adds by itself is 0755 root and would replace the planned one where layers overlap.
            var own = plan.Entries.Where(e => e.Origin == origin).ToList();
            if (own.Count == 0) continue;
            var byPath = own.ToDictionary(e => e.Path, StringComparer.Ordinal);
            foreach (var entry in own)
                for (var parent = Parent(entry.Path); parent != "/"; parent = Parent(parent))
                    if (directories.TryGetValue(parent, out var dir)) byPath.TryAdd(parent, dir);
            layers.Add(new LayerContent($"SlimImage: {appName}, {what}", byPath.Values.OrderBy(e => e.Path, StringComparer.Ordinal).ToList()));
        }
        return layers;
    }

    private static string Parent(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash <= 0 ? "/" : path[..slash];
    }
}
