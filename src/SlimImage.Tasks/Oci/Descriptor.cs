namespace SlimImage.Oci;

/// <summary>An OCI content descriptor (image-spec <c>descriptor.md</c>): what a manifest or index points at.</summary>
/// <param name="MediaType">e.g. <see cref="MediaTypes.Config"/>.</param>
/// <param name="Digest">Digest of the exact bytes of the blob.</param>
/// <param name="Size">Length of the blob in bytes.</param>
public sealed record Descriptor(string MediaType, Digest Digest, long Size)
{
    /// <summary>The descriptor of JSON (or any) bytes held in memory.</summary>
    public static Descriptor Of(string mediaType, ReadOnlySpan<byte> content) => new(mediaType, Digest.Of(content), content.Length);
}
