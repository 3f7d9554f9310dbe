using System.Security.Cryptography;
using SlimImage.Diagnostics;
using SlimImage.FileSystem;
using SlimImage.Oci;

namespace SlimImage.Registry;

/// <summary>
/// Pulled blobs on disk by digest (<c>blobs/sha256/&lt;hex&gt;</c>, as an OCI layout), the layers' diff_ids
/// beside them (<c>&lt;hex&gt;.diffid</c>), and the digest each tag last had (<c>refs/&lt;registry&gt;/&lt;repository&gt;/&lt;tag&gt;</c>)
/// so a build without network still finds its base. Every read checks the digest again; a blob appears only
/// whole (written to a temp file and renamed), so concurrent builds share the cache safely.
/// </summary>
internal sealed class BlobCache(string root)
{
    public string Root { get; } = root;

    /// <summary>blobs/sha256/hex: safe, because a <see cref="Digest"/> holds only a known algorithm and lower-case hex.</summary>
    public string PathOf(Digest digest) => Path.Combine(Root, "blobs", digest.Algorithm, digest.Hex);

    /// <summary>The cached bytes of a small blob (manifest, config) when present and intact.</summary>
    public byte[]? ReadSmall(Digest digest)
    {
        var path = PathOf(digest);
        try
        {
            if (!File.Exists(path)) return null;
            var bytes = File.ReadAllBytes(path);
            if (Digest.Of(bytes) == digest) return bytes;
            TempFiles.TryDelete(path); // damaged: fetch again
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    public void WriteSmall(Digest digest, byte[] bytes) =>
        CommitAsync(digest, temp => File.WriteAllBytesAsync(temp, bytes)).GetAwaiter().GetResult();

    /// <summary>The path of a cached layer whose size and sha256 are right, and its diff_id record; null otherwise.</summary>
    public (string Path, Digest DiffId, long? UncompressedSize)? FindLayer(Descriptor layer)
    {
        var path = PathOf(layer.Digest);
        try
        {
            if (!File.Exists(path) || new FileInfo(path).Length != layer.Size) return null;
            using (var file = File.OpenRead(path))
                if (Digest.Sha256(SHA256.HashData(file)) != layer.Digest)
                {
                    file.Dispose();
                    TempFiles.TryDelete(path);
                    return null;
                }
            var record = File.Exists(path + ".diffid") ? File.ReadAllText(path + ".diffid").Split(' ') : [];
            if (record.Length != 2 || !Digest.TryParse(record[0], out var diffId)) return null;
            return (path, diffId, long.TryParse(record[1], out var size) ? size : null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>
    /// Downloads a layer through <paramref name="download"/> into the cache, checking its digest and size and, when
    /// the compression is one .NET reads, that its uncompressed tar has <paramref name="diffId"/>.
    /// </summary>
    public async Task<(string Path, long? UncompressedSize)> StoreLayerAsync(Descriptor layer, Digest diffId, string where,
        string what, Func<Func<Stream, CancellationToken, Task>, Task> download, long maxSize, CancellationToken ct)
    {
        long? uncompressed = null;
        await CommitAsync(layer.Digest, async temp =>
        {
            await download(async (body, ct) =>
            {
                await using var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
                // Never more than the manifest says: a body that goes on would otherwise fill the disk.
                await BoundedBody.CopyAsync(body, file, layer.Size, () => new SlimException("SLIM4009", where, what,
                    $"{layer.Digest} ({layer.Size} bytes)", $"more than {layer.Size} bytes"), ct).ConfigureAwait(false);
            }).ConfigureAwait(false);
            var length = new FileInfo(temp).Length;
            Digest actual;
            using (var file = File.OpenRead(temp)) actual = Digest.Sha256(SHA256.HashData(file));
            if (actual != layer.Digest || length != layer.Size)
                throw new SlimException("SLIM4009", where, what, $"{layer.Digest} ({layer.Size} bytes)", $"{actual} ({length} bytes)");
            var (diff, size) = DiffIdOf(temp, layer.MediaType, maxSize,
                () => new SlimException("SLIM3521", where, layer.Digest, ByteSize.Exact(maxSize)), ct);
            if (diff is { } d && d != diffId)
                throw new SlimException("SLIM4009", where, what + " uncompressed (the config's diff_id)", diffId, d);
            uncompressed = size;
            File.WriteAllText(temp + ".diffid", $"{diffId} {size?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"}");
        }).ConfigureAwait(false);
        return (PathOf(layer.Digest), uncompressed);
    }

    public Digest? ReadTag(ImageReference reference)
    {
        try
        {
            var path = TagPath(reference);
            return File.Exists(path) && Digest.TryParse(File.ReadAllText(path).Trim(), out var digest) ? digest : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    public void WriteTag(ImageReference reference, Digest digest)
    {
        var path = TagPath(reference);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var temp = path + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
            File.WriteAllText(temp, digest.ToString());
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SlimException(e, "SLIM4016", Root, e.Message);
        }
    }

    /// <summary>
    /// refs/host_port/repository/tag. ImageReference.Parse checks repository and tag against the distribution grammar
    /// (no "..", no empty component, no '/' in a tag); checked again here because the record can be made without it.
    /// </summary>
    private string TagPath(ImageReference r)
    {
        var tag = r.Tag ?? "latest";
        if (!RegistryHost.IsValid(r.Registry) || !ImageReference.IsRepository(r.Repository) || !ImageReference.IsTag(tag))
            throw new ArgumentException($"Not a valid image reference for the cache: '{r}'.", nameof(r));
        return Path.Combine(Root, "refs", BlobJournal.SafeName(r.Registry), Path.Combine(r.Repository.Split('/')), tag);
    }

    /// <summary>The sha256 of the decompressed tar and its size; null for a media type that is not a layer's.</summary>
    /// <remarks>Bounded and cancellable like every read of a base layer: the blob is untrusted until its tar is read.</remarks>
    private static (Digest?, long?) DiffIdOf(string path, string mediaType, long maxSize, Func<Exception> tooLarge, CancellationToken ct)
    {
        if (LayerCompression.FormatOf(mediaType) == null) return (null, null);
        using var tar = new HashingStream(
            new LimitedReadStream(LayerCompression.OpenUncompressed(mediaType, File.OpenRead(path)), maxSize, tooLarge, ct), leaveOpen: false);
        tar.CopyTo(Stream.Null);
        return (tar.Digest, tar.Count);
    }

    private async Task CommitAsync(Digest digest, Func<string, Task> write)
    {
        var target = PathOf(digest);
        var temp = target + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            await write(temp).ConfigureAwait(false);
            if (File.Exists(temp + ".diffid")) File.Move(temp + ".diffid", target + ".diffid", overwrite: true);
            File.Move(temp, target, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SlimException(e, "SLIM4016", Root, e.Message);
        }
        finally
        {
            TempFiles.TryDelete(temp);
            TempFiles.TryDelete(temp + ".diffid");
        }
    }
}
