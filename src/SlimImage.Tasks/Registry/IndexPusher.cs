using System.Text.Json;
using SlimImage.Diagnostics;
using SlimImage.Oci;

namespace SlimImage.Registry;

/// <summary>One image of a pushed index: where it came from and how to name it by digest.</summary>
/// <param name="Entry">Its manifest and platform.</param>
/// <param name="Source">What named it: the <c>SlimImageIndexSources</c> entry, or the runtime identifier it was built for.</param>
/// <param name="DigestReference"><c>registry/repository@sha256:…</c> in the index's repository.</param>
public sealed record IndexImage(IndexEntry Entry, string Source, string DigestReference)
{
    /// <summary>The runtime identifier it was built for, when this build built it.</summary>
    public string? RuntimeIdentifier { get; init; }
}

/// <summary>What an index push did.</summary>
public sealed record IndexPushResult(string Registry, string Repository, Descriptor Index, IReadOnlyList<IndexImage> Images,
    IReadOnlyList<PushedTag> Tags, int Mounted, int Existing);

/// <summary>
/// Joins images already in a registry into one index (as <c>docker buildx imagetools create</c> and
/// <c>crane index append</c> do), moving no layer: each source's manifest (or, for an index, each of its manifests)
/// and config are read for the platform; a source in another repository of the registry has its blobs mounted and
/// its manifest put by digest; then the index goes up under each tag. Nothing is tagged before every image is there.
/// </summary>
public static class IndexPusher
{
    private sealed record Found(IndexEntry Entry, string Source, ImageReference From, byte[] ManifestBytes);

    public static IndexPushResult Join(IReadOnlyList<IndexSource> sources, string registry, string repository, IReadOnlyList<string> tags,
        RegistrySettings settings, Action<SlimDiagnostic> report, CancellationToken ct) =>
        JoinAsync(sources, registry, repository, tags, settings, report, ct).GetAwaiter().GetResult();

    public static async Task<IndexPushResult> JoinAsync(IReadOnlyList<IndexSource> sources, string registry, string repository,
        IReadOnlyList<string> tags, RegistrySettings settings, Action<SlimDiagnostic> report, CancellationToken ct)
    {
        using var client = new RegistryClient(registry, settings, "push");
        var found = new List<Found>();
        foreach (var source in sources)
            found.AddRange(await ReadSource(client, source, ct).ConfigureAwait(false));
        if (found.Count == 0) throw new SlimException("SLIM5314", string.Join(";", sources.Select(s => s.Text)), "no image with a platform");
        foreach (var group in found.GroupBy(f => f.Entry.Platform).Where(g => g.Count() > 1))
        {
            var (a, b) = (group.First(), group.Skip(1).First());
            throw new SlimException("SLIM5313", group.Key, a.Source, a.Entry.Manifest.Digest, b.Source, b.Entry.Manifest.Digest);
        }

        int mounted = 0, existing = 0;
        var journal = new BlobJournal(settings.CacheDirectory, registry);
        foreach (var image in found.Where(f => f.From.Repository != repository))
        {
            var (m, e) = await MountInto(client, image, repository, journal, ct).ConfigureAwait(false);
            mounted += m;
            existing += e;
        }
        var result = await PutIndexAsync(client, repository, tags,
            found.Select(f => (f.Entry, f.Source)).ToList(), report, ct).ConfigureAwait(false);
        report(SlimDiagnostic.Info("SLIM5310", $"{registry}/{repository}", result.Index.Digest, string.Join(", ", result.Images.Select(i => $"{i.Entry.Platform} ({i.Source})")), mounted, existing));
        foreach (var tag in result.Tags)
            report(SlimDiagnostic.Info("SLIM4101", tag.Reference, tag.DigestReference));
        return result with { Mounted = mounted, Existing = existing };
    }

    /// <summary>
    /// Pushes the platform images one publish built, each by digest (blobs first, then its manifest), then their index
    /// under each tag: the tags move only once every platform is in the registry.
    /// </summary>
    public static IndexPushResult Push(IReadOnlyList<PlatformImage> images, string registry, string repository, IReadOnlyList<string> tags,
        RegistrySettings settings, Action<SlimDiagnostic> report, CancellationToken ct)
    {
        foreach (var image in images)
            ImagePusher.Push(image.Image, registry, repository, [], settings, report, ct);
        using var client = new RegistryClient(registry, settings, "push");
        var result = PutIndexAsync(client, repository, tags, images.Select(i => (i.Entry, i.RuntimeIdentifier)).ToList(), report, ct).GetAwaiter().GetResult();
        foreach (var tag in result.Tags)
            report(SlimDiagnostic.Info("SLIM4101", tag.Reference, tag.DigestReference));
        return result with { Images = result.Images.Select(i => i with { RuntimeIdentifier = i.Source }).ToList() };
    }

    /// <summary>
    /// Puts the index of <paramref name="images"/> (whose manifests must be in <paramref name="repository"/> already)
    /// under each tag, skipping a tag that points to it already.
    /// </summary>
    internal static async Task<IndexPushResult> PutIndexAsync(RegistryClient client, string repository, IReadOnlyList<string> tags,
        IReadOnlyList<(IndexEntry Entry, string Source)> images, Action<SlimDiagnostic> report, CancellationToken ct)
    {
        var entries = images.Select(i => i.Entry).ToList();
        var bytes = ImageIndex.Write(entries);
        var index = Descriptor.Of(ImageIndex.MediaTypeFor(entries), bytes);
        List<string> scopes = [RegistryRequest.PushScope(repository)];
        var pushed = new List<PushedTag>();
        foreach (var tag in tags.Distinct(StringComparer.Ordinal))
        {
            ct.ThrowIfCancellationRequested();
            var current = await client.ManifestDigestAsync(repository, tag, scopes, ct).ConfigureAwait(false);
            if (current != index.Digest)
                await client.PutManifestAsync(repository, tag, bytes, index.MediaType, ct).ConfigureAwait(false);
            pushed.Add(new PushedTag($"{client.Registry}/{repository}:{tag}", tag, index.Digest));
        }
        var named = images.Select(i => new IndexImage(i.Entry, i.Source, $"{client.Registry}/{repository}@{i.Entry.Manifest.Digest}")).ToList();
        return new IndexPushResult(client.Registry, repository, index, named, pushed, 0, 0);
    }

    /// <summary>The platform images a source names: itself, or the manifests of an index (attestations left out).</summary>
    private static async Task<IReadOnlyList<Found>> ReadSource(RegistryClient client, IndexSource source, CancellationToken ct)
    {
        var reference = source.Reference;
        FetchedManifest top;
        try
        {
            top = await client.GetManifestAsync(reference.Repository, reference.ManifestReference, ct).ConfigureAwait(false);
        }
        catch (SlimException e) when (e.Code == "SLIM4003")
        {
            throw new SlimException(e, "SLIM5312", source.Text, $"{reference.Registry}/{reference.Repository}", reference.ManifestReference);
        }
        try
        {
            var type = MediaTypeOf(top);
            if (type is MediaTypes.Index or ImageIndex.DockerList)
            {
                var list = new List<Found>();
                using var doc = JsonDocument.Parse(top.Bytes);
                var i = 0;
                foreach (var m in doc.RootElement.GetProperty("manifests").EnumerateArray())
                {
                    var d = ReadDescriptor(m, $"the index {top.Digest}, manifests[{i++}].digest");
                    if (!m.TryGetProperty("platform", out var p) || Str(p, "os") is not { } os || os == "unknown" || Str(p, "architecture") is not { } arch)
                        continue; // buildx's attestation manifests say unknown/unknown: not an image to run
                    var child = await client.GetManifestAsync(reference.Repository, d.Digest.ToString(), ct).ConfigureAwait(false);
                    list.Add(new Found(new IndexEntry(d with { MediaType = MediaTypeOf(child) }, os, arch, Str(p, "variant")), source.Text, reference, child.Bytes));
                }
                return list;
            }
            if (type is not (MediaTypes.Manifest or "application/vnd.docker.distribution.manifest.v2+json"))
                throw new SlimException("SLIM5314", source.Text, type);
            using var manifest = JsonDocument.Parse(top.Bytes);
            var config = ReadDescriptor(manifest.RootElement.GetProperty("config"), $"the manifest {top.Digest}, config.digest");
            using var configJson = JsonDocument.Parse(await ReadConfig(client, reference, config, ct).ConfigureAwait(false));
            var root = configJson.RootElement;
            if (Str(root, "os") is not { } os2 || Str(root, "architecture") is not { } arch2)
                throw new SlimException("SLIM5314", source.Text, "an image whose config names no os and architecture");
            return [new Found(new IndexEntry(new Descriptor(type, top.Digest, top.Bytes.Length), os2, arch2, Str(root, "variant")), source.Text, reference, top.Bytes)];
        }
        catch (InvalidDigestException e)
        {
            throw new SlimException(e, "SLIM4017", reference.Registry, reference.Repository, e.Field, e.Value);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or FormatException or InvalidOperationException)
        {
            throw new SlimException(e, "SLIM5314", source.Text, "JSON that is not a valid manifest, index or config (" + e.Message + ")");
        }
    }

    /// <summary>
    /// Makes a manifest of another repository available in <paramref name="repository"/>: its config and layers
    /// mounted (distribution-spec "Mounting a blob from another repository"), then the manifest put by digest. A
    /// registry that will not mount is SLIM5315: the join never uploads a layer.
    /// </summary>
    private static async Task<(int Mounted, int Existing)> MountInto(RegistryClient client, Found image, string repository,
        BlobJournal journal, CancellationToken ct)
    {
        var from = image.From.Repository;
        List<string> scopes = [RegistryRequest.PushScope(repository), RegistryRequest.PullScope(from)];
        int mounted = 0, existing = 0;
        using var doc = JsonDocument.Parse(image.ManifestBytes);
        var blobs = new List<Descriptor> { ReadDescriptor(doc.RootElement.GetProperty("config"), $"the manifest {image.Entry.Manifest.Digest}, config.digest") };
        var i = 0;
        foreach (var l in doc.RootElement.GetProperty("layers").EnumerateArray())
            blobs.Add(ReadDescriptor(l, $"the manifest {image.Entry.Manifest.Digest}, layers[{i++}].digest"));
        foreach (var blob in blobs.DistinctBy(b => b.Digest))
        {
            ct.ThrowIfCancellationRequested();
            if (await client.BlobExistsAsync(repository, blob, scopes, ct).ConfigureAwait(false))
            {
                existing++;
                continue;
            }
            if (await client.StartUploadAsync(repository, blob, from, ct).ConfigureAwait(false) != null)
                throw new SlimException("SLIM5315", blob.Digest, from, $"{client.Registry}/{repository}", image.Source);
            journal.Record(blob.Digest, repository);
            mounted++;
        }
        var digest = image.Entry.Manifest.Digest;
        if (await client.ManifestDigestAsync(repository, digest.ToString(), scopes, ct).ConfigureAwait(false) != digest)
            await client.PutManifestAsync(repository, digest.ToString(), image.ManifestBytes, image.Entry.Manifest.MediaType, ct).ConfigureAwait(false);
        return (mounted, existing);
    }

    private static async Task<byte[]> ReadConfig(RegistryClient client, ImageReference reference, Descriptor config, CancellationToken ct)
    {
        var limit = client.Transport.Options.MaxDocumentSize;
        SlimException TooLarge(string size) => new("SLIM4018", reference.Registry, reference.Repository,
            $"reading the config {config.Digest} of", "a config", size, ByteSize.Format(limit));
        if (config.Size > limit) throw TooLarge(ByteSize.Format(config.Size));
        using var buffer = new MemoryStream();
        await client.DownloadBlobAsync(reference.Repository, config, async (body, c) =>
        {
            buffer.SetLength(0);
            await BoundedBody.CopyAsync(body, buffer, limit, () => TooLarge("more than " + ByteSize.Format(limit)), c).ConfigureAwait(false);
        }, ct).ConfigureAwait(false);
        var bytes = buffer.ToArray();
        if (Digest.Of(bytes) != config.Digest)
            throw new SlimException("SLIM4009", $"{reference.Registry}/{reference.Repository}", "the config", config.Digest, Digest.Of(bytes));
        return bytes;
    }

    /// <summary>The mediaType field, else the Content-Type, else guessed from the shape (it is optional in OCI).</summary>
    private static string MediaTypeOf(FetchedManifest m)
    {
        using var doc = JsonDocument.Parse(m.Bytes);
        if (Str(doc.RootElement, "mediaType") is { } type) return type;
        if (m.MediaType is MediaTypes.Index or MediaTypes.Manifest) return m.MediaType;
        return doc.RootElement.TryGetProperty("manifests", out _) ? MediaTypes.Index : MediaTypes.Manifest;
    }

    private static Descriptor ReadDescriptor(JsonElement e, string field)
    {
        var digest = Digest.Parse(Str(e, "digest"), field);
        var size = e.GetProperty("size").GetInt64();
        return size >= 0 ? new(Str(e, "mediaType") ?? "", digest, size) : throw new FormatException($"{field}: the size {size} is negative");
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
