using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text.Json;
using SlimImage.Diagnostics;
using SlimImage.Oci;

namespace SlimImage.Output;

/// <summary>
/// Reads back the archive of one platform that an inner publish of a multi-platform build wrote with
/// <see cref="ImageArchive.Write"/> (in obj/, so checked like any file: every blob against its name and size): the
/// exact manifest and config bytes, and the layer blobs copied into the scratch folder.
/// </summary>
public static class PlatformArchive
{
    private const int MaxDocument = 4 << 20;
    private const int MaxArtifact = 256 << 20;

    /// <summary>Reads <paramref name="path"/>, built for <paramref name="rid"/>, its blobs copied into <paramref name="scratch"/>
    /// under names starting with <paramref name="prefix"/>; SLIM5320 when it is damaged.</summary>
    public static PlatformImage Read(string path, string rid, string scratch, string prefix, CancellationToken ct)
    {
        try
        {
            return ReadArchive(path, rid, scratch, prefix, ct);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or FormatException or InvalidOperationException
                                       or InvalidDataException or EndOfStreamException or InvalidDigestException)
        {
            throw new SlimException(e, "SLIM5320", path, rid, e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SlimException(e, "SLIM5320", path, rid, e.Message);
        }
    }

    private static PlatformImage ReadArchive(string path, string rid, string scratch, string prefix, CancellationToken ct)
    {
        Directory.CreateDirectory(scratch);
        var documents = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var blobs = new Dictionary<Digest, (string File, long Size)>();
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan))
        using (var tar = new TarReader(file))
        {
            while (tar.GetNextEntry() is { } entry)
            {
                ct.ThrowIfCancellationRequested();
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream == null) continue;
                var name = entry.Name.TrimStart('.').TrimStart('/');
                if (name.StartsWith("blobs/sha256/", StringComparison.Ordinal))
                {
                    var digest = Digest.Parse("sha256:" + name["blobs/sha256/".Length..], $"the archive entry '{name}'");
                    var target = Path.Combine(scratch, prefix + digest.Hex);
                    var (actual, size, head) = Copy(entry.DataStream, target, ct);
                    if (actual != digest) throw new InvalidDataException($"the blob {digest} has the digest {actual}");
                    blobs[digest] = (target, size);
                    if (head != null) documents[digest.ToString()] = head;
                }
                else if (name == "index.json" && entry.Length <= MaxDocument)
                {
                    using var buffer = new MemoryStream();
                    entry.DataStream.CopyTo(buffer);
                    documents[name] = buffer.ToArray();
                }
            }
        }
        using var index = JsonDocument.Parse(Document(documents, "index.json"));
        // The image is the entry without an artifactType; the others are its referrers (the SBOM).
        var entries = index.RootElement.GetProperty("manifests").EnumerateArray().ToList();
        var imageEntry = entries.First(e => !e.TryGetProperty("artifactType", out _));
        var manifestDigest = Digest.Parse(imageEntry.GetProperty("digest").GetString(), "index.json, the image's digest");
        var manifestBytes = Document(documents, manifestDigest.ToString());
        using var manifest = JsonDocument.Parse(manifestBytes);
        var format = manifest.RootElement.GetProperty("mediaType").GetString() == ImageFormat.Docker.ManifestMediaType ? ImageFormat.Docker : ImageFormat.Oci;
        var configDigest = Digest.Parse(manifest.RootElement.GetProperty("config").GetProperty("digest").GetString(), "config.digest");
        var configBytes = Document(documents, configDigest.ToString());
        using var config = JsonDocument.Parse(configBytes);
        var diffIds = config.RootElement.GetProperty("rootfs").GetProperty("diff_ids").EnumerateArray()
            .Select((d, i) => Digest.Parse(d.GetString(), $"rootfs.diff_ids[{i}]")).ToList();
        var layers = manifest.RootElement.GetProperty("layers").EnumerateArray().Select((l, i) =>
        {
            var digest = Digest.Parse(l.GetProperty("digest").GetString(), $"layers[{i}].digest");
            var (file, size) = blobs.TryGetValue(digest, out var b) ? b : throw new InvalidDataException($"the layer {digest} is missing");
            if (size != l.GetProperty("size").GetInt64()) throw new InvalidDataException($"the layer {digest} has {size} bytes");
            // The tar size is not kept in the archive; only summaries use it.
            return new LayerBlob(digest, diffIds[i], size, 0, l.GetProperty("mediaType").GetString()!, file);
        }).ToList();
        if (layers.Count != diffIds.Count) throw new InvalidDataException($"{layers.Count} layers for {diffIds.Count} diff_ids");
        var referrers = entries.Where(e => e.TryGetProperty("artifactType", out _)).Select(e => ReadReferrer(e, documents, blobs, manifestDigest)).ToList();
        var image = new BuiltImage(configBytes, manifestBytes, layers) { Format = format, Referrers = referrers };
        if (image.Manifest.Digest != manifestDigest) throw new InvalidDataException($"the manifest {manifestDigest} is not of the format {format.Name}");
        var root = config.RootElement;
        var variant = root.TryGetProperty("variant", out var v) ? v.GetString() : null;
        return new PlatformImage(image, rid, root.GetProperty("os").GetString()!, root.GetProperty("architecture").GetString()!, variant);
    }

    /// <summary>A referrer index.json lists: its manifest must be the one named, its subject the image, its one layer held whole.</summary>
    private static Referrer ReadReferrer(JsonElement entry, Dictionary<string, byte[]> documents, Dictionary<Digest, (string File, long Size)> blobs,
        Digest subject)
    {
        var digest = Digest.Parse(entry.GetProperty("digest").GetString(), "index.json, a referrer's digest");
        var bytes = Document(documents, digest.ToString());
        using var manifest = JsonDocument.Parse(bytes);
        var root = manifest.RootElement;
        var about = Digest.Parse(root.GetProperty("subject").GetProperty("digest").GetString(), $"the referrer {digest}'s subject");
        if (about != subject) throw new InvalidDataException($"the referrer {digest} refers to {about}, not to the image {subject}");
        var layer = root.GetProperty("layers")[0];
        // An SBOM of many files may be larger than a manifest is allowed to be; it was written by this build, so it is read whole.
        var content = Digest.Parse(layer.GetProperty("digest").GetString(), $"the referrer {digest}'s layer");
        var blob = documents.TryGetValue(content.ToString(), out var small) ? small
            : blobs.TryGetValue(content, out var large) && large.Size <= MaxArtifact ? File.ReadAllBytes(large.File)
            : throw new InvalidDataException($"the referrer {digest}'s content {content} is missing or larger than {MaxArtifact} bytes");
        var created = root.TryGetProperty("annotations", out var a) && a.TryGetProperty("org.opencontainers.image.created", out var c)
            ? DateTimeOffset.Parse(c.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : DateTimeOffset.UnixEpoch;
        var referrer = new Referrer(root.GetProperty("artifactType").GetString()!, bytes, blob, layer.GetProperty("mediaType").GetString()!, created);
        if (referrer.Manifest.Digest != digest) throw new InvalidDataException($"the referrer {digest} is not an OCI image manifest");
        return referrer;
    }

    private static byte[] Document(Dictionary<string, byte[]> documents, string name) =>
        documents.TryGetValue(name, out var bytes) ? bytes : throw new InvalidDataException($"'{name}' is missing or too large");

    /// <summary>Copies a blob into <paramref name="target"/> with its sha256; a small one is also kept in memory (it may be JSON).</summary>
    private static (Digest Digest, long Size, byte[]? Head) Copy(Stream data, string target, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var memory = new MemoryStream();
        long size = 0;
        var buffer = new byte[1 << 16];
        using (var output = new FileStream(target, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        {
            int n;
            while ((n = data.Read(buffer)) > 0)
            {
                ct.ThrowIfCancellationRequested();
                hash.AppendData(buffer, 0, n);
                output.Write(buffer, 0, n);
                if (size + n <= MaxDocument) memory.Write(buffer, 0, n);
                size += n;
            }
        }
        return (Digest.Sha256(hash.GetHashAndReset()), size, size <= MaxDocument ? memory.ToArray() : null);
    }
}
