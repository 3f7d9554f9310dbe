using SlimImage.Diagnostics;

namespace SlimImage.Oci;

/// <summary>
/// An image platform (image-spec <c>image-index.md</c> "platform"): what an index entry or a config names, and what a
/// runtime identifier asks for. <see cref="Matches"/> is the one rule every reader of an index or an archive uses.
/// </summary>
public sealed record Platform(string Os, string Architecture, string? Variant)
{
    /// <summary>The platform of a .NET runtime identifier (<c>linux-x64</c>, <c>linux-musl-arm64</c>); SLIM1001 otherwise.</summary>
    public static Platform FromRuntimeIdentifier(string rid)
    {
        var arch = rid[(rid.LastIndexOf('-') + 1)..].ToLowerInvariant();
        return arch switch
        {
            "x64" => new("linux", "amd64", null),
            "arm64" => new("linux", "arm64", "v8"),
            "arm" => new("linux", "arm", "v7"),
            "x86" => new("linux", "386", null),
            _ => throw new SlimException("SLIM1001", rid),
        };
    }

    /// <summary>
    /// Whether an image of <paramref name="other"/> runs here: the same os and architecture, and the same variant when
    /// both name one (arm64 images often leave "v8" out).
    /// </summary>
    public bool Matches(Platform other) =>
        other.Os == Os && other.Architecture == Architecture && (other.Variant == null || Variant == null || other.Variant == Variant);

    /// <summary>
    /// The candidates that match, an exact variant winning over a missing one: none, one, or several (an ambiguous
    /// index or archive, which the caller reports with the candidates' names).
    /// </summary>
    public IReadOnlyList<T> Choose<T>(IEnumerable<T> candidates, Func<T, Platform> platformOf)
    {
        var matching = candidates.Where(c => Matches(platformOf(c))).ToList();
        if (matching.Count > 1)
        {
            var exact = matching.Where(c => platformOf(c).Variant == Variant).ToList();
            if (exact.Count > 0) return exact;
        }
        return matching;
    }

    /// <summary><c>linux/arm64/v8</c>, as docker's <c>--platform</c> spells it.</summary>
    public override string ToString() => Variant == null ? $"{Os}/{Architecture}" : $"{Os}/{Architecture}/{Variant}";
}
