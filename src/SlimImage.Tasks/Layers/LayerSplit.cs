using SlimImage.Rootfs;

namespace SlimImage.Layers;

/// <summary>One layer to write: its entries and the history text that describes it.</summary>
public sealed record LayerContent(string CreatedBy, IReadOnlyList<RootfsEntry> Entries);

/// <summary>Splits the rootfs plan into the layers of the image.</summary>
public static class LayerSplit
{
    /// <summary>For now everything in one layer.</summary>
    public static IReadOnlyList<LayerContent> Split(RootfsPlan plan, string appName) =>
        [new LayerContent($"SlimImage: {appName} on scratch", plan.Entries)];
}
