using SlimImage.Registry;

namespace SlimImage.Pipeline;

/// <summary>A tag that now points to a pushed index.</summary>
public sealed record PushedIndexTag(string Reference, string Tag, string DigestReference);

/// <summary>One image of a pushed index.</summary>
/// <param name="DigestReference"><c>registry/repository@sha256:…</c>.</param>
/// <param name="ManifestDigest">The image's manifest digest.</param>
/// <param name="MediaType">The manifest's media type.</param>
/// <param name="Platform"><c>linux/arm64/v8</c>.</param>
/// <param name="Source">The <c>SlimImageIndexSources</c> entry, or the runtime identifier it was built for.</param>
/// <param name="RuntimeIdentifier">The runtime identifier, when this build built it.</param>
public sealed record PushedPlatformImage(string DigestReference, string ManifestDigest, string MediaType, string Platform, string Source,
    string? RuntimeIdentifier);

/// <summary>What an index push did, in the terms of the MSBuild items (<c>SlimImagePushedImage</c>).</summary>
public sealed record PushedIndex(string Registry, string Repository, string IndexDigest, string IndexMediaType,
    IReadOnlyList<PushedIndexTag> Tags, IReadOnlyList<PushedPlatformImage> Images)
{
    internal static PushedIndex From(IndexPushResult r) => new(r.Registry, r.Repository, r.Index.Digest.ToString(), r.Index.MediaType,
        r.Tags.Select(t => new PushedIndexTag(t.Reference, t.Tag, t.DigestReference)).ToList(),
        r.Images.Select(i => new PushedPlatformImage(i.DigestReference, i.Entry.Manifest.Digest.ToString(), i.Entry.Manifest.MediaType,
            i.Entry.Platform, i.Source, i.RuntimeIdentifier)).ToList());
}

/// <summary>A platform of SlimImageRuntimeIdentifiers, checked, with the sysroot its libraries come from.</summary>
public sealed record CheckedPlatform(string RuntimeIdentifier, string Sysroot);
