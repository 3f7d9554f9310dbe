using System.Security.Cryptography;

namespace SlimImage.Tar;

/// <summary>
/// The checksums of one file of a layer, as lower-case hex: SHA-256, and SHA-1 because SPDX 2.3 requires it for every
/// file (clause 8.4). Taken while the layer writer streams the file, so no file is read twice.
/// </summary>
/// <param name="Path">The path in the image, e.g. <c>/app/hello</c>.</param>
/// <param name="Sha1">SHA-1 of the content, 40 hex digits.</param>
/// <param name="Sha256">SHA-256 of the content, 64 hex digits.</param>
public sealed record FileChecksum(string Path, string Sha1, string Sha256);

/// <summary>Hashes one file after another: <c>Append</c> its bytes, then <see cref="Finish"/>.</summary>
internal sealed class FileHasher : IDisposable
{
    private readonly IncrementalHash _sha1 = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
    private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    private byte[]? _buffer;

    public void Append(ReadOnlySpan<byte> data)
    {
        _sha1.AppendData(data);
        _sha256.AppendData(data);
    }

    /// <summary>Appends the rest of <paramref name="data"/>, through one buffer kept for every file.</summary>
    public void Append(Stream data)
    {
        _buffer ??= new byte[1 << 16];
        int n;
        while ((n = data.Read(_buffer)) > 0) Append(_buffer.AsSpan(0, n));
    }

    /// <summary>The checksums of what was appended since the last call, for <paramref name="path"/>.</summary>
    public FileChecksum Finish(string path) =>
        new(path, Convert.ToHexString(_sha1.GetHashAndReset()).ToLowerInvariant(), Convert.ToHexString(_sha256.GetHashAndReset()).ToLowerInvariant());

    public void Dispose()
    {
        _sha1.Dispose();
        _sha256.Dispose();
    }
}
