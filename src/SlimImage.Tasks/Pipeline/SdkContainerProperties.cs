namespace SlimImage.Pipeline;

/// <summary>
/// The SDK's container properties SlimImage does not honour, and why: a project moving from PublishContainer is told
/// once (SLIM1057) instead of finding out from the image. The ones it honours are mapped in SlimImage.Sdk.targets.
/// </summary>
public static class SdkContainerProperties
{
    public static readonly IReadOnlyDictionary<string, string> NotHonoured = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["ContainerFamily"] = "it picks a family of Microsoft's base images (e.g. noble-chiseled), and SlimImage builds on SlimImageBase (scratch by default) with exactly the libraries the app loads; set SlimImageBase for a base of your own",
    };

    /// <summary>One "name 'value': why" per property that is set and not honoured, in a stable order.</summary>
    public static IEnumerable<(string Name, string Value, string Why)> Unused(IEnumerable<KeyValuePair<string, string>> set) =>
        set.Where(p => !string.IsNullOrWhiteSpace(p.Value) && NotHonoured.ContainsKey(p.Key))
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => (p.Key, p.Value.Trim(), NotHonoured[p.Key]));
}
