using SlimImage.Diagnostics;

namespace SlimImage.Registry;

/// <summary>
/// One entry of <c>SlimImageIndexSources</c> as the user wrote it and the image it names: a tag or an
/// <c>@sha256:…</c> digest of the index's own repository, or a full reference in the same registry (another
/// repository of it is fine: its blobs are mounted, never uploaded).
/// </summary>
public sealed record IndexSource(string Text, ImageReference Reference)
{
    /// <summary>Parses <paramref name="text"/> against the target <paramref name="registry"/>/<paramref name="repository"/>;
    /// SLIM5311 when it is none of the three forms, SLIM5316 when it names another registry.</summary>
    public static IndexSource Parse(string text, string registry, string repository)
    {
        var value = text.Trim();
        ImageReference? reference;
        if (value.StartsWith('@'))
            reference = ImageReference.TryParse($"{registry}/{repository}{value}");
        else if (ImageReference.IsTag(value))
            reference = new ImageReference(registry, repository, value, null);
        else
        {
            reference = ImageReference.TryParse(value);
            if (reference != null && !string.Equals(reference.Registry, registry, StringComparison.OrdinalIgnoreCase))
                throw new SlimException("SLIM5316", value, reference.Registry, registry);
        }
        return reference == null
            ? throw new SlimException("SLIM5311", value, registry, repository)
            : new IndexSource(value, reference with { Registry = registry });
    }
}
