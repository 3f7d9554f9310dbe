using System.Text.Json;
using SlimImage.Diagnostics;
using SlimImage.Oci;

namespace SlimImage.Registry;

/// <summary>
/// Pulls a base image (<c>SlimImageBase=registry/repository:tag</c> or <c>@sha256:…</c>): reference → index →
/// the manifest of the RID's platform → config and layers, each checked against its digest and kept in the
/// <see cref="BlobCache"/>. A digest reference already in the cache needs no network; a tag falls back to the digest
/// it last had when the registry cannot be reached, so a build works offline once it has pulled its base.
/// </summary>
public static class BasePuller
{
    private const string DockerList = MediaTypes.DockerManifestList;
    private const string DockerManifest = MediaTypes.DockerManifest;

    /// <summary>Pulls <paramref name="reference"/> for <paramref name="platform"/>; a layer expanding beyond
    /// <paramref name="maxLayerSize"/> (SlimImageBaseLayerMaxSize) is SLIM3521 and is not kept.</summary>
    public static PulledImage Pull(ImageReference reference, Platform platform, RegistrySettings settings,
        Action<SlimDiagnostic> report, CancellationToken ct, long maxLayerSize = LayerBlob.DefaultMaxUncompressedSize) =>
        PullAsync(reference, platform, settings, report, ct, maxLayerSize).GetAwaiter().GetResult();

    public static async Task<PulledImage> PullAsync(ImageReference reference, Platform platform, RegistrySettings settings,
        Action<SlimDiagnostic> report, CancellationToken ct, long maxLayerSize = LayerBlob.DefaultMaxUncompressedSize)
    {
        var cache = new BlobCache(settings.CacheDirectory);
        if (reference.Digest is { } pinned && await TryCacheOnly(reference, pinned, platform, cache, ct).ConfigureAwait(false) is { } cached)
        {
            report(SlimDiagnostic.Info("SLIM4104", reference, cached.DigestReference, cached.Layers.Count, ByteSize.Format(cached.Layers.Sum(l => l.Descriptor.Size)), "the cache (the digest is pinned)"));
            return cached;
        }

        using var client = new RegistryClient(reference.Registry, settings, "pull");
        FetchedManifest top;
        try
        {
            top = await client.GetManifestAsync(reference.Repository, reference.ManifestReference, ct).ConfigureAwait(false);
        }
        catch (SlimException e) when (e.Code is "SLIM4004" or "SLIM4005" or "SLIM4006")
        {
            var known = reference.Digest ?? cache.ReadTag(reference);
            if (known is { } digest && await TryCacheOnly(reference, digest, platform, cache, ct).ConfigureAwait(false) is { } offline)
            {
                report(SlimDiagnostic.Info("SLIM4106", reference, e.Text, offline.DigestReference));
                return offline;
            }
            throw new SlimException(e, "SLIM4015", reference, e.Text, settings.CacheDirectory);
        }
        cache.WriteSmall(top.Digest, top.Bytes);
        if (reference.Digest == null) cache.WriteTag(reference, top.Digest);

        var where = $"{reference.Registry}/{reference.Repository}";
        var journal = new BlobJournal(settings.CacheDirectory, reference.Registry);
        var downloaded = 0L;
        var image = await Resolve(reference, top.Bytes, top.Digest, platform,
            async d => cache.ReadSmall(d.Digest) ?? await FetchSmall(client, reference, d, cache, ct).ConfigureAwait(false),
            async (layer, diffId, what) =>
            {
                if (cache.FindLayer(layer) is { } hit) return hit;
                client.Transport.AllowFor(layer.Size);
                var (path, size) = await cache.StoreLayerAsync(layer, diffId, where, what,
                    write => client.DownloadBlobAsync(reference.Repository, layer, write, ct), maxLayerSize, ct).ConfigureAwait(false);
                downloaded += layer.Size;
                return (path, diffId, size);
            }, fromCacheOnly: false).ConfigureAwait(false);
        foreach (var layer in image.Layers) journal.Record(layer.Descriptor.Digest, reference.Repository);
        report(SlimDiagnostic.Info("SLIM4104", reference, image.DigestReference, image.Layers.Count,
            ByteSize.Format(image.Layers.Sum(l => l.Descriptor.Size)), downloaded == 0 ? "the cache" : $"{reference.Registry} ({ByteSize.Format(downloaded)} downloaded)"));
        return image;
    }

    private static async Task<PulledImage?> TryCacheOnly(ImageReference reference, Digest digest, Platform platform, BlobCache cache, CancellationToken ct)
    {
        if (cache.ReadSmall(digest) is not { } bytes) return null;
        try
        {
            return await Resolve(reference, bytes, digest, platform,
                d => Task.FromResult(cache.ReadSmall(d.Digest) ?? throw new NotCachedException()),
                (layer, _, _) => Task.FromResult(cache.FindLayer(layer) ?? throw new NotCachedException()),
                fromCacheOnly: true).ConfigureAwait(false);
        }
        catch (NotCachedException)
        {
            return null;
        }
    }

    private sealed class NotCachedException : Exception;

    private static async Task<byte[]> FetchSmall(RegistryClient client, ImageReference reference, Descriptor d, BlobCache cache, CancellationToken ct)
    {
        var limit = client.Transport.Options.MaxDocumentSize;
        var what = d.MediaType.Contains("config") ? "a config" : "a manifest";
        SlimException TooLarge(string size) => new("SLIM4018", reference.Registry, reference.Repository,
            $"reading {d.Digest} (its descriptor) of", what, size, ByteSize.Format(limit));
        if (d.Size > limit) throw TooLarge(ByteSize.Format(d.Size));
        byte[] bytes;
        if (d.MediaType is MediaTypes.Manifest or DockerManifest or MediaTypes.Index or DockerList)
            bytes = (await client.GetManifestAsync(reference.Repository, d.Digest.ToString(), ct).ConfigureAwait(false)).Bytes;
        else
        {
            using var buffer = new MemoryStream();
            await client.DownloadBlobAsync(reference.Repository, d, async (body, c) =>
            {
                buffer.SetLength(0);
                await BoundedBody.CopyAsync(body, buffer, limit, () => TooLarge("more than " + ByteSize.Format(limit)), c).ConfigureAwait(false);
            }, ct).ConfigureAwait(false);
            bytes = buffer.ToArray();
        }
        if (Digest.Of(bytes) != d.Digest || bytes.Length != d.Size)
            throw new SlimException("SLIM4009", $"{reference.Registry}/{reference.Repository}", "the " + (d.MediaType.Contains("config") ? "config" : "manifest"),
                d.Digest, Digest.Of(bytes));
        cache.WriteSmall(d.Digest, bytes);
        return bytes;
    }

    private static async Task<PulledImage> Resolve(ImageReference reference, byte[] topBytes, Digest topDigest, Platform platform,
        Func<Descriptor, Task<byte[]>> small, Func<Descriptor, Digest, string, Task<(string Path, Digest DiffId, long? Size)>> layer, bool fromCacheOnly)
    {
        try
        {
            return await ResolveJson(reference, topBytes, topDigest, platform, small, layer, fromCacheOnly).ConfigureAwait(false);
        }
        catch (InvalidDigestException e)
        {
            throw new SlimException(e, "SLIM4017", reference.Registry, reference.Repository, e.Field, e.Value);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or FormatException or InvalidOperationException)
        {
            throw new SlimException(e, "SLIM4010", reference, "JSON that is not a valid manifest, index or config (" + e.Message + ")");
        }
    }

    private static async Task<PulledImage> ResolveJson(ImageReference reference, byte[] topBytes, Digest topDigest, Platform platform,
        Func<Descriptor, Task<byte[]>> small, Func<Descriptor, Digest, string, Task<(string Path, Digest DiffId, long? Size)>> layer, bool fromCacheOnly)
    {
        var (bytes, digest) = (topBytes, topDigest);
        var mediaType = MediaTypeOf(reference, bytes);
        if (mediaType is MediaTypes.Index or DockerList)
        {
            var chosen = ChoosePlatform(reference, bytes, digest, platform);
            bytes = await small(chosen).ConfigureAwait(false);
            digest = chosen.Digest;
            mediaType = MediaTypeOf(reference, bytes);
        }
        if (mediaType is not (MediaTypes.Manifest or DockerManifest))
            throw new SlimException("SLIM4010", reference, mediaType);

        using var manifest = JsonDocument.Parse(bytes);
        var config = ReadDescriptor(manifest.RootElement.GetProperty("config"), $"the manifest {digest}, config.digest");
        var configBytes = await small(config).ConfigureAwait(false);
        using var configJson = JsonDocument.Parse(configBytes);
        var arch = Str(configJson.RootElement, "architecture");
        if (arch != null && arch != platform.Architecture)
            throw new SlimException("SLIM4014", reference, platform.Architecture, arch);
        var diffIds = configJson.RootElement.GetProperty("rootfs").GetProperty("diff_ids").EnumerateArray()
            .Select((x, i) => Digest.Parse(x.ValueKind == JsonValueKind.String ? x.GetString() : null, $"the config {config.Digest}, rootfs.diff_ids[{i}]")).ToList();
        var descriptors = manifest.RootElement.GetProperty("layers").EnumerateArray()
            .Select((x, i) => ReadDescriptor(x, $"the manifest {digest}, layers[{i}].digest")).ToList();
        if (diffIds.Count != descriptors.Count)
            throw new SlimException("SLIM4010", reference, $"a manifest with {descriptors.Count} layers and a config with {diffIds.Count} diff_ids");
        var layers = new List<PulledLayer>();
        for (var i = 0; i < descriptors.Count; i++)
        {
            var (path, diffId, size) = await layer(descriptors[i], diffIds[i], $"layer {i + 1}/{descriptors.Count}").ConfigureAwait(false);
            if (diffId != diffIds[i])
                throw new SlimException("SLIM4009", reference, $"layer {i + 1} (its recorded diff_id)", diffIds[i], diffId);
            layers.Add(new PulledLayer(descriptors[i], diffIds[i], size, path));
        }
        return new PulledImage(reference, digest, mediaType, bytes, config, configBytes, layers, fromCacheOnly);
    }

    /// <summary>
    /// The index entry for the platform (<see cref="Platform.Choose"/>, the rule base archives follow too); entries that
    /// match equally are ambiguous (SLIM4020), as in an archive.
    /// </summary>
    private static Descriptor ChoosePlatform(ImageReference reference, byte[] index, Digest indexDigest, Platform platform)
    {
        using var doc = JsonDocument.Parse(index);
        var entries = new List<(Descriptor D, Platform P)>();
        var seen = new List<string>();
        var i = -1;
        foreach (var m in doc.RootElement.GetProperty("manifests").EnumerateArray())
        {
            i++;
            if (!m.TryGetProperty("platform", out var p)) continue;
            var entry = new Platform(Str(p, "os") ?? "", Str(p, "architecture") ?? "", Str(p, "variant"));
            seen.Add(entry.ToString());
            if (platform.Matches(entry))
                entries.Add((ReadDescriptor(m, $"the index {indexDigest}, manifests[{i}].digest"), entry));
        }
        var chosen = platform.Choose(entries, e => e.P);
        if (chosen.Count == 0)
            throw new SlimException("SLIM4014", reference, platform, seen.Count == 0 ? "no platform at all" : string.Join(", ", seen));
        if (chosen.Count > 1)
            throw new SlimException("SLIM4020", reference, platform, string.Join(", ", chosen.Select(c => c.D.Digest)));
        return chosen[0].D;
    }

    /// <summary>The mediaType field, else guessed from the shape (it is optional in OCI); schema 1 is refused.</summary>
    private static string MediaTypeOf(ImageReference reference, byte[] bytes)
    {
        using var doc = JsonDocument.Parse(bytes);
        var root = doc.RootElement;
        if (root.TryGetProperty("schemaVersion", out var v) && v.ValueKind == JsonValueKind.Number && v.GetInt32() == 1)
            throw new SlimException("SLIM4010", reference, "docker schema 1 (deprecated)");
        if (Str(root, "mediaType") is { } type) return type;
        return root.TryGetProperty("manifests", out _) ? MediaTypes.Index : MediaTypes.Manifest;
    }

    /// <summary>
    /// A descriptor with a valid digest (<see cref="InvalidDigestException"/> naming <paramref name="field"/>, e.g.
    /// "the manifest sha256:…, layers[2].digest") and a size that is not negative.
    /// </summary>
    private static Descriptor ReadDescriptor(JsonElement e, string field)
    {
        var digest = Digest.Parse(Str(e, "digest"), field);
        var size = e.GetProperty("size").GetInt64();
        return size >= 0 ? new(Str(e, "mediaType") ?? "", digest, size) : throw new FormatException($"{field}: the size {size} is negative");
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
