using SlimImage.Oci;

namespace SlimImage.Registry;

/// <summary>A layer of a pulled base, in the cache.</summary>
/// <param name="Descriptor">As in the base's manifest (media type, digest, size): reuse it byte for byte.</param>
/// <param name="DiffId">From the base's config <c>rootfs.diff_ids</c> (checked against the blob when it is gzip or plain).</param>
/// <param name="UncompressedSize">Bytes of the tar; null for zstd layers, which .NET cannot decompress.</param>
/// <param name="CachePath">The blob file, named by its digest; it stays in the cache (never delete it).</param>
public sealed record PulledLayer(Descriptor Descriptor, Digest DiffId, long? UncompressedSize, string CachePath);

/// <summary>
/// A base image pulled from a registry for one platform, every digest checked, all blobs in the on-disk cache.
/// </summary>
/// <param name="Reference">What was asked for.</param>
/// <param name="ManifestDigest">The platform manifest's digest (not the index's).</param>
/// <param name="ManifestMediaType">OCI or docker schema 2 manifest type.</param>
/// <param name="ManifestBytes">The manifest exactly as served.</param>
/// <param name="Config">The config's descriptor from the manifest.</param>
/// <param name="ConfigBytes">The config exactly as served.</param>
/// <param name="Layers">Bottom first.</param>
/// <param name="FromCacheOnly">True when the registry was not asked (digest reference already cached) or could not be reached.</param>
public sealed record PulledImage(ImageReference Reference, Digest ManifestDigest, string ManifestMediaType, byte[] ManifestBytes,
    Descriptor Config, byte[] ConfigBytes, IReadOnlyList<PulledLayer> Layers, bool FromCacheOnly)
{
    /// <summary><c>registry/repository@sha256:…</c> of the platform manifest: the exact base, for labels and logs.</summary>
    public string DigestReference => $"{Reference.Registry}/{Reference.Repository}@{ManifestDigest}";
}
