
namespace SlimImage.Oci;

/// <summary>
/// A written layer, as go-containerregistry's <c>v1.Layer</c>: the blob lives in a file, everything else is values.
/// </summary>
/// <param name="Digest">sha256 of the blob as stored (compressed): what the manifest refers to.</param>
/// <param name="DiffId">sha256 of the uncompressed tar: what the config's <c>rootfs.diff_ids</c> lists.</param>
/// <param name="Size">Bytes of the blob (compressed).</param>
/// <param name="UncompressedSize">Bytes of the tar.</param>
/// <param name="MediaType">e.g. <c>application/vnd.oci.image.layer.v1.tar+gzip</c>.</param>
/// <param name="BlobPath">The file holding the blob, named after its digest (<c>sha256-{hex}.tar.gz</c>) in the
/// temp folder; the caller deletes it when the image is written. A base image's layer is a blob like any other:
/// its file is the base's own bytes copied into that folder (<c>base-{hex}…</c>), its diff_id the base config's.</param>
public sealed record LayerBlob(Digest Digest, Digest DiffId, long Size, long UncompressedSize, string MediaType, string BlobPath)
{
    /// <summary>How many bytes one base layer may expand to unless SlimImageBaseLayerMaxSize says otherwise: 8 GiB.</summary>
    public const long DefaultMaxUncompressedSize = 8L << 30;

    /// <summary>The manifest's descriptor of this layer.</summary>
    public Descriptor Descriptor => new(MediaType, Digest, Size);
}
