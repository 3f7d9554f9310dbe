using SlimImage.Oci;

namespace SlimImage.Base;

/// <summary>
/// Where the blobs of a base image come from: an image archive on disk, or a registry's blob cache. Only blobs are asked
/// for, by digest, as the OCI distribution API serves them; the caller verifies digest and size itself.
/// </summary>
public interface IBlobSource : IDisposable
{
    /// <summary>
    /// A readable stream of the blob's exact bytes. Throws <see cref="Diagnostics.SlimException"/> when the source
    /// does not hold it.
    /// </summary>
    Stream Open(Digest digest);
}

/// <summary>One layer of a base image.</summary>
/// <param name="Descriptor">The manifest's descriptor, media type already in OCI spelling
/// (<see cref="MediaTypes.Layer"/>, <see cref="MediaTypes.LayerGzip"/> or <see cref="MediaTypes.LayerZstd"/>).</param>
/// <param name="DiffId">The config's <c>rootfs.diff_ids</c> entry for it: sha256 of the uncompressed tar.</param>
public sealed record BaseLayer(Descriptor Descriptor, Digest DiffId);

/// <summary>
/// A base image as any source presents it, before its blobs are fetched: the config as stored, the layers bottom
/// first, and where their blobs are. <see cref="BaseLayers.Extract"/> turns it into layer blobs in the scratch
/// folder and the base's file list.
/// </summary>
/// <param name="Reference">What the user named, for messages and history: a file path or an image reference.</param>
/// <param name="ConfigBytes">The config blob, as stored (its digest was checked by the source).</param>
/// <param name="Config">The parts of the config SlimImage reads or keeps.</param>
/// <param name="Layers">Bottom first, one per diff_id.</param>
/// <param name="Blobs">The layer blobs; disposed with the image.</param>
public sealed record BaseImage(string Reference, ReadOnlyMemory<byte> ConfigBytes, BaseConfig Config,
    IReadOnlyList<BaseLayer> Layers, IBlobSource Blobs) : IDisposable
{
    /// <summary>The digest of the image's manifest (of its platform, not of an index); null when the source has none (a docker-archive).</summary>
    public Digest? ManifestDigest { get; init; }

    /// <summary>The image reference the source gives it (a pulled reference, a docker-archive's RepoTags, an OCI layout's
    /// ref.name when it names a repository); null when it gives none. Never a file path: labels must not depend on the build machine.</summary>
    public string? ImageName { get; init; }

    public void Dispose() => Blobs.Dispose();
}
