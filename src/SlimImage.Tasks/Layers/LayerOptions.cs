using SlimImage.Tar;
using SlimImage.Oci;

namespace SlimImage.Layers;

/// <summary>
/// Settings of one <see cref="LayerWriter.Write"/> call. Everything that changes the bytes of a layer is here, so the
/// same entries and the same options give the same blob.
/// </summary>
/// <param name="Timestamp">The mtime of every entry (SOURCE_DATE_EPOCH, or 1970-01-01), e.g. <c>DateTimeOffset.UnixEpoch</c>.
/// Whole seconds only: ustar headers cannot hold more, and no PAX mtime is written.</param>
/// <param name="TempDirectory">Folder for the blob file, e.g. <c>obj/Release/net8.0/linux-x64/slimimage/</c>; created if missing.</param>
/// <param name="Compression">Compression of the blob, with its level; null = gzip level 6.</param>
/// <param name="Threads">Threads that compress; 0 = one per core. Never changes the bytes: chunks are cut by size.</param>
/// <param name="FileChecksums">Also take each file's SHA-1 and SHA-256 in the same pass (<see cref="LayerWriteResult.Files"/>),
/// for the SBOM; never changes the bytes.</param>
public sealed record LayerOptions(
    DateTimeOffset Timestamp,
    string TempDirectory,
    LayerCompression? Compression = null,
    int Threads = 0,
    bool FileChecksums = false)
{
    public LayerCompression Compression { get; init; } = Compression ?? LayerCompression.Gzip;
}
