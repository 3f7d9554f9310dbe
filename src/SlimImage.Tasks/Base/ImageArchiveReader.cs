using System.Text.Json;
using SlimImage.Diagnostics;
using SlimImage.Oci;

namespace SlimImage.Base;

/// <summary>
/// Reads a base image from an image archive: an OCI image layout in a tar (<c>skopeo copy … oci-archive:</c>,
/// <c>podman save --format oci-archive</c>, <c>docker save</c> since Engine 25) or a docker-archive (<c>docker save</c>,
/// <c>podman save</c>, <c>skopeo copy … docker-archive:</c>). The OCI index wins when both are there, as containerd's
/// importer does; a multi-platform index gives the image of the requested platform.
/// </summary>
public static class ImageArchiveReader
{
    private const string DockerManifestV2 = MediaTypes.DockerManifest;
    private const string DockerManifestList = MediaTypes.DockerManifestList;

    /// <summary>
    /// Reads the image for <paramref name="platform"/> from the archive at <paramref name="path"/>. Throws SLIM3500
    /// (not an image archive), SLIM3501 (no image for the platform), SLIM3502 (several), SLIM3503 (a blob missing
    /// or damaged), SLIM3504 (a layer type that cannot be reused).
    /// </summary>
    public static BaseImage Read(string path, Platform platform)
    {
        var files = ArchiveFiles.Read(path);
        try
        {
            if (files.Json("index.json") is { } index)
                return ReadOci(files, index, platform);
            if (files.Json("manifest.json") is { } manifest)
                return ReadDocker(files, manifest, platform);
        }
        catch (InvalidDigestException e)
        {
            throw new SlimException(e, "SLIM3507", path, e.Field, e.Value);
        }
        catch (Exception e) when (e is JsonException or FormatException or KeyNotFoundException or InvalidOperationException)
        {
            throw new SlimException(e, "SLIM3500", path, "its index, manifest or config is not valid (" + e.Message + ")");
        }
        throw new SlimException("SLIM3500", path, "it has neither index.json (OCI image layout) nor manifest.json (docker-archive)");
    }

    private static BaseImage ReadOci(ArchiveFiles files, byte[] indexJson, Platform platform)
    {
        var candidates = new List<(Descriptor Manifest, string Where, JsonElement Body, BaseConfig Config, byte[] ConfigBytes, string? RefName)>();
        using var index = JsonDocument.Parse(indexJson);
        Collect(index.RootElement, "index.json", "index.json", 0, null);

        // where: for messages about the candidates ("index.json (tag)"); document: the JSON being read, for SLIM3507.
        void Collect(JsonElement idx, string where, string document, int depth, string? refName)
        {
            var i = 0;
            foreach (var d in idx.GetProperty("manifests").EnumerateArray())
            {
                var descriptor = ReadDescriptor(d, $"{document}, manifests[{i++}].digest");
                // docker save keeps the whole index of a multi-platform image but only the blobs of the platform it
                // pulled: an entry whose manifest or config is not in the archive is not a candidate.
                if (files.TryJsonBlob(descriptor) is not { } manifestBytes) continue;
                var body = JsonDocument.Parse(manifestBytes).RootElement.Clone();
                var type = descriptor.MediaType.Length > 0 ? descriptor.MediaType : Str(body, "mediaType") ?? "";
                var tag = d.TryGetProperty("annotations", out var a) ? Str(a, "org.opencontainers.image.ref.name") : null;
                var at = tag == null ? where : $"{where} ({tag})";
                if (type is MediaTypes.Index or DockerManifestList || (type.Length == 0 && body.TryGetProperty("manifests", out _)))
                {
                    if (depth < 4) Collect(body, at, $"the index {descriptor.Digest}", depth + 1, tag ?? refName);
                    continue;
                }
                if (type is not (MediaTypes.Manifest or DockerManifestV2) && !(type.Length == 0 && body.TryGetProperty("layers", out _)))
                    continue; // an artifact or attestation, not an image
                if (candidates.Any(c => c.Manifest.Digest == descriptor.Digest)) continue;
                var configDescriptor = ReadDescriptor(body.GetProperty("config"), $"the manifest {descriptor.Digest}, config.digest");
                if (files.TryJsonBlob(configDescriptor) is not { } configBytes) continue;
                candidates.Add((descriptor, at, body, BaseConfig.Parse(configBytes, $"the config {configDescriptor.Digest}"), configBytes, tag ?? refName));
            }
        }

        var chosen = Choose(files.Path, platform, candidates, c => c.Config, c => $"{c.Where} {c.Manifest.Digest.Hex[..12]}");
        var layers = chosen.Body.GetProperty("layers").EnumerateArray()
            .Select((d, i) => ReadDescriptor(d, $"the manifest {chosen.Manifest.Digest}, layers[{i}].digest")).ToList();
        return Build(files, chosen.ConfigBytes, chosen.Config, layers, new Dictionary<Digest, string>())
            with { ManifestDigest = chosen.Manifest.Digest, ImageName = ImageName(chosen.RefName) };
    }

    /// <summary>
    /// A name the archive gives its image, when it is an image reference: image-layout.md lets ref.name be a bare tag
    /// ("latest"), which names no base. Untrusted, so only what parses as a reference.
    /// </summary>
    private static string? ImageName(string? name) =>
        name != null && name.IndexOfAny([':', '/', '@']) > 0 && Registry.ImageReference.TryParse(name) != null ? name : null;

    private static BaseImage ReadDocker(ArchiveFiles files, byte[] manifestJson, Platform platform)
    {
        using var manifest = JsonDocument.Parse(manifestJson);
        var candidates = new List<(string ConfigName, BaseConfig Config, byte[] ConfigBytes, List<string> Layers, string Tags, string? FirstTag)>();
        foreach (var image in manifest.RootElement.EnumerateArray())
        {
            var configName = Str(image, "Config") ?? throw new FormatException("manifest.json: an image has no Config");
            var configBytes = files.Json(configName) ?? throw new SlimException("SLIM3503", files.Path, configName, "is missing");
            var repoTags = image.TryGetProperty("RepoTags", out var t) && t.ValueKind == JsonValueKind.Array
                ? t.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String ? x.GetString()! : "").ToList() : [];
            candidates.Add((configName, BaseConfig.Parse(configBytes, $"the config {configName}"), configBytes,
                image.GetProperty("Layers").EnumerateArray().Select(x => x.GetString()!).ToList(), string.Join(", ", repoTags),
                repoTags.FirstOrDefault()));
        }
        var chosen = Choose(files.Path, platform, candidates, c => c.Config, c => c.Tags.Length > 0 ? c.Tags : c.ConfigName);
        if (chosen.Layers.Count != chosen.Config.DiffIds.Count)
            throw new SlimException("SLIM3500", files.Path, $"manifest.json lists {chosen.Layers.Count} layers for {chosen.Config.DiffIds.Count} diff_ids");

        // docker-archive names layers by file, not digest: an uncompressed layer's digest is its diff_id (checked when it
        // is copied), a compressed one is hashed here.
        var names = new Dictionary<Digest, string>();
        var layers = new List<Descriptor>();
        for (var i = 0; i < chosen.Layers.Count; i++)
        {
            var name = chosen.Layers[i];
            if (!files.Contains(name)) throw new SlimException("SLIM3503", files.Path, name, "is missing");
            var (compression, digest) = Sniff(files, name);
            digest ??= chosen.Config.DiffIds[i];
            names[digest.Value] = name;
            layers.Add(new Descriptor(compression, digest.Value, files.SizeOf(name)));
        }
        // A docker-archive holds no manifest (docker save drops the registry's), so there is no base digest to give.
        return Build(files, chosen.ConfigBytes, chosen.Config, layers, names) with { ImageName = ImageName(chosen.FirstTag) };
    }

    private static (string MediaType, Digest? Digest) Sniff(ArchiveFiles files, string name)
    {
        using var stream = files.Open(name);
        var head = new byte[4];
        var n = stream.ReadAtLeast(head, 4, throwOnEndOfStream: false);
        var type = n >= 2 && head[0] == 0x1F && head[1] == 0x8B ? MediaTypes.LayerGzip
            : n == 4 && head[0] == 0x28 && head[1] == 0xB5 && head[2] == 0x2F && head[3] == 0xFD ? MediaTypes.LayerZstd
            : MediaTypes.Layer;
        if (type == MediaTypes.Layer) return (type, null);
        using var again = files.Open(name);
        return (type, Digest.Sha256(System.Security.Cryptography.SHA256.HashData(again)));
    }

    private static BaseImage Build(ArchiveFiles files, byte[] configBytes, BaseConfig config, List<Descriptor> layers,
        Dictionary<Digest, string> names)
    {
        if (layers.Count != config.DiffIds.Count)
            throw new SlimException("SLIM3500", files.Path, $"the manifest lists {layers.Count} layers for {config.DiffIds.Count} diff_ids");
        var baseLayers = layers.Select((d, i) => new BaseLayer(d with { MediaType = LayerMediaType(files.Path, d) }, config.DiffIds[i])).ToList();
        return new BaseImage(files.Path, configBytes, config, baseLayers, new ArchiveBlobSource(files, names));
    }

    /// <summary>The OCI spelling of a layer media type SlimImage can reuse as it is; Docker's mean the same bytes.</summary>
    internal static string LayerMediaType(string archive, Descriptor d) =>
        LayerCompression.FormatOf(d.MediaType) is { } format ? LayerCompression.MediaTypeOf(format)
            : throw new SlimException("SLIM3504", archive, d.Digest, d.MediaType);

    /// <summary>
    /// The one image for the platform (<see cref="Platform.Choose"/>); several that match equally are ambiguous (SLIM3502).
    /// </summary>
    private static T Choose<T>(string archive, Platform platform, List<T> candidates, Func<T, BaseConfig> config, Func<T, string> describe)
    {
        Platform Of(T c) => new(config(c).Os ?? "", config(c).Architecture ?? "", config(c).Variant);
        var matching = platform.Choose(candidates, Of);
        if (matching.Count == 0)
        {
            var found = candidates.Select(c => Of(c).ToString()).Distinct();
            throw new SlimException("SLIM3501", archive, platform, candidates.Count == 0 ? "no image at all" : string.Join(", ", found));
        }
        if (matching.Count > 1)
            throw new SlimException("SLIM3502", archive, platform, string.Join("; ", matching.Select(describe)));
        return matching[0];
    }

    /// <summary>A descriptor whose digest is valid (<see cref="InvalidDigestException"/> naming <paramref name="field"/>).</summary>
    private static Descriptor ReadDescriptor(JsonElement d, string field) =>
        new(Str(d, "mediaType") ?? "", Digest.Parse(Str(d, "digest"), field),
            d.TryGetProperty("size", out var s) ? s.GetInt64() : -1);

    private static string? Str(JsonElement o, string name) =>
        o.ValueKind == JsonValueKind.Object && o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
