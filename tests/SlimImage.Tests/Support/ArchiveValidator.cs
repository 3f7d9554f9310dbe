using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using SlimImage.Oci;

namespace SlimImage.Tests.Support;

/// <summary>One entry of a layer as a container runtime would see it.</summary>
/// <param name="Path">Absolute path in the image, without a trailing slash ("/app/hello", "/" never appears).</param>
/// <param name="TarName">The name exactly as in the tar ("app/", "app/hello").</param>
/// <param name="Type">Regular file, directory, symbolic link, …</param>
/// <param name="Mode">Mode bits from the header, e.g. 0x1ED (0755).</param>
/// <param name="Content">The bytes of a regular file of at most 1 MiB, else null.</param>
public sealed record LayerEntry(string Path, string TarName, TarEntryType Type, int Mode, int Uid, int Gid, long Size,
    string? LinkName, DateTimeOffset ModificationTime, byte[]? Content)
{
    public string ModeOctal => Convert.ToString(Mode, 8);
}

/// <summary>A layer: its descriptor and what its tar holds, in tar order.</summary>
public sealed record LayerView(string Digest, string DiffId, string MediaType, long Size, IReadOnlyList<LayerEntry> Entries)
{
    public LayerEntry? Find(string path) => Entries.FirstOrDefault(e => e.Path == path);
}

/// <summary>What a validated archive holds. JSON elements are detached copies, usable after the file is gone.</summary>
/// <summary>An artifact of the archive: its type, manifest digest, and its one layer's media type and bytes.</summary>
public sealed record ArchiveReferrer(string ArtifactType, string ManifestDigest, string BlobMediaType, byte[] Blob);

public sealed record ArchiveView(
    string ManifestDigest,
    JsonElement Index,
    JsonElement Manifest,
    JsonElement Config,
    IReadOnlyList<string> RepoTags,
    IReadOnlyList<string> TarNames,
    IReadOnlyList<LayerView> Layers)
{
    /// <summary>The artifacts index.json lists beside the image (its SBOM), each checked to refer to the image's manifest.</summary>
    public IReadOnlyList<ArchiveReferrer> Referrers { get; init; } = [];

    /// <summary>The config's "config" object (Entrypoint, Env, User, …).</summary>
    public JsonElement RuntimeConfig => Config.GetProperty("config");

    public IReadOnlyList<string> Entrypoint => Strings(RuntimeConfig, "Entrypoint");
    public IReadOnlyList<string> Env => Strings(RuntimeConfig, "Env");
    public string? User => RuntimeConfig.TryGetProperty("User", out var u) ? u.GetString() : null;
    public string? WorkingDir => RuntimeConfig.TryGetProperty("WorkingDir", out var w) ? w.GetString() : null;

    /// <summary>The image's filesystem after applying every layer (later layers win; whiteouts are not handled).</summary>
    public IReadOnlyDictionary<string, LayerEntry> Files =>
        Layers.SelectMany(l => l.Entries).GroupBy(e => e.Path).ToDictionary(g => g.Key, g => g.Last());

    private static IReadOnlyList<string> Strings(JsonElement o, string name) =>
        o.TryGetProperty(name, out var a) ? a.EnumerateArray().Select(x => x.GetString()!).ToList() : [];
}

/// <summary>
/// Re-reads an image archive written by SlimImage with an independent reader (System.Formats.Tar) and checks it the
/// way go-containerregistry's validate.Image does: every blob matches its name, size and descriptor; index →
/// manifest → config agree; each diff_id is the sha256 of the decompressed layer; docker's manifest.json points at the
/// same config and layers; every tag appears in both. Throws <see cref="InvalidDataException"/> naming the problem.
/// </summary>
public static class ArchiveValidator
{
    private const string LayoutVersion = """{"imageLayoutVersion":"1.0.0"}""";
    private const int KeepContent = 1 << 20;
    private const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    private const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";

    /// <summary>Config and layer media types of each manifest family: a manifest never mixes the two
    /// (Docker v2 schema 2 has no zstd layer type).</summary>
    private static readonly Dictionary<string, (string Config, string[] Layers)> Families = new()
    {
        [OciManifest] = ("application/vnd.oci.image.config.v1+json",
            ["application/vnd.oci.image.layer.v1.tar", "application/vnd.oci.image.layer.v1.tar+gzip", "application/vnd.oci.image.layer.v1.tar+zstd"]),
        [DockerManifest] = ("application/vnd.docker.container.image.v1+json",
            ["application/vnd.docker.image.rootfs.diff.tar", "application/vnd.docker.image.rootfs.diff.tar.gzip"]),
    };

    public static ArchiveView Validate(string archivePath)
    {
        var blobs = new Dictionary<string, (long Size, byte[]? Small)>(StringComparer.Ordinal);
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var names = new List<string>();
        ForEachEntry(archivePath, (entry, data) =>
        {
            Check(!entry.Name.StartsWith('/') && !entry.Name.Split('/').Contains(".."), $"unsafe tar name '{entry.Name}'");
            Check(!names.Contains(entry.Name), $"'{entry.Name}' appears twice");
            names.Add(entry.Name);
            if (entry.EntryType is TarEntryType.Directory) return;
            Check(entry.EntryType is TarEntryType.RegularFile, $"'{entry.Name}' is a {entry.EntryType}, not a file");
            if (entry.Name.StartsWith("blobs/sha256/", StringComparison.Ordinal))
            {
                var (hex, size, small) = Hash(data!, keep: entry.Length <= KeepContent);
                Check(hex == entry.Name["blobs/sha256/".Length..], $"blob '{entry.Name}' has sha256 {hex}");
                blobs["sha256:" + hex] = (size, small);
            }
            else
            {
                using var ms = new MemoryStream();
                data!.CopyTo(ms);
                files[entry.Name] = ms.ToArray();
            }
        });

        Check(files.TryGetValue("oci-layout", out var layout) && System.Text.Encoding.UTF8.GetString(layout) == LayoutVersion,
            "oci-layout is missing or not " + LayoutVersion);
        Check(files.ContainsKey("index.json"), "index.json is missing");
        Check(files.ContainsKey("manifest.json"), "manifest.json (docker-archive) is missing");
        var index = Parse(files["index.json"], "index.json");
        Check(index.GetProperty("schemaVersion").GetInt32() == 2, "index.json: schemaVersion is not 2");
        Check(Str(index, "mediaType") == "application/vnd.oci.image.index.v1+json", "index.json: wrong mediaType");

        var all = index.GetProperty("manifests").EnumerateArray().ToList();
        // Referrers (the SBOM) are listed untagged with their artifactType; the image's entries have none.
        var descriptors = all.Where(d => !d.TryGetProperty("artifactType", out _)).ToList();
        var artifacts = all.Where(d => d.TryGetProperty("artifactType", out _)).ToList();
        Check(descriptors.Count > 0, "index.json lists no manifest");
        var manifestDigest = Str(descriptors[0], "digest")!;
        var manifestType = Str(descriptors[0], "mediaType") ?? "";
        Check(Families.ContainsKey(manifestType), $"index.json: manifest mediaType '{manifestType}' is neither OCI nor Docker v2 schema 2");
        var (configType, layerTypes) = Families[manifestType];
        var indexTags = new List<string>();
        foreach (var d in descriptors)
        {
            Check(Str(d, "digest") == manifestDigest, "index.json lists more than one manifest; SlimImage writes one image");
            CheckDescriptor(d, blobs, manifestType, "index.json");
            if (!d.TryGetProperty("annotations", out var a)) continue;
            var refName = Str(a, "org.opencontainers.image.ref.name");
            var imageName = Str(a, "io.containerd.image.name");
            Check(refName != null && imageName != null, "index.json: a descriptor lacks ref.name or io.containerd.image.name");
            Check(imageName!.EndsWith(":" + refName, StringComparison.Ordinal), $"index.json: '{imageName}' does not end with ':{refName}'");
            indexTags.Add(imageName);
        }

        var manifest = Parse(blobs[manifestDigest].Small!, "manifest " + manifestDigest);
        Check(manifest.GetProperty("schemaVersion").GetInt32() == 2, "manifest: schemaVersion is not 2");
        Check(Str(manifest, "mediaType") == manifestType, "manifest: mediaType is not the one index.json names");
        var configDescriptor = manifest.GetProperty("config");
        CheckDescriptor(configDescriptor, blobs, configType, "manifest config");
        var config = Parse(blobs[Str(configDescriptor, "digest")!].Small!, "config");
        var layerDescriptors = manifest.GetProperty("layers").EnumerateArray().ToList();
        foreach (var l in layerDescriptors) CheckDescriptor(l, blobs, layerTypes, "manifest layer");

        var rootfs = config.GetProperty("rootfs");
        Check(Str(rootfs, "type") == "layers", "config: rootfs.type is not 'layers'");
        var diffIds = rootfs.GetProperty("diff_ids").EnumerateArray().Select(x => x.GetString()!).ToList();
        Check(diffIds.Count == layerDescriptors.Count, $"config has {diffIds.Count} diff_ids for {layerDescriptors.Count} layers");
        if (config.TryGetProperty("history", out var history))
        {
            var nonEmpty = history.EnumerateArray().Count(h => !(h.TryGetProperty("empty_layer", out var e) && e.GetBoolean()));
            Check(nonEmpty == layerDescriptors.Count, $"config history has {nonEmpty} non-empty entries for {layerDescriptors.Count} layers");
        }

        var docker = Parse(files["manifest.json"], "manifest.json").EnumerateArray().ToList();
        Check(docker.Count == 1, $"manifest.json has {docker.Count} images, expected 1");
        Check(Str(docker[0], "Config") == "blobs/sha256/" + Hex(Str(configDescriptor, "digest")!), "manifest.json: Config is not the manifest's config");
        var dockerLayers = docker[0].GetProperty("Layers").EnumerateArray().Select(x => x.GetString()).ToList();
        Check(dockerLayers.SequenceEqual(layerDescriptors.Select(l => "blobs/sha256/" + Hex(Str(l, "digest")!))),
            "manifest.json: Layers differ from the OCI manifest's layers");
        var repoTags = docker[0].GetProperty("RepoTags").EnumerateArray().Select(x => x.GetString()!).ToList();
        Check(repoTags.SequenceEqual(indexTags), $"manifest.json RepoTags [{string.Join(", ", repoTags)}] differ from index.json names [{string.Join(", ", indexTags)}]");

        var layers = new List<LayerView>();
        for (var i = 0; i < layerDescriptors.Count; i++)
        {
            var d = layerDescriptors[i];
            var (diffId, entries) = ReadLayer(archivePath, Str(d, "digest")!, Str(d, "mediaType")!);
            Check(diffId == diffIds[i], $"layer {i}: sha256 of the uncompressed tar is {diffId}, config says {diffIds[i]}");
            layers.Add(new LayerView(Str(d, "digest")!, diffId, Str(d, "mediaType")!, d.GetProperty("size").GetInt64(), entries));
        }
        var referrers = new List<ArchiveReferrer>();
        foreach (var d in artifacts)
        {
            CheckDescriptor(d, blobs, "application/vnd.oci.image.manifest.v1+json", "index.json referrer");
            Check(d.TryGetProperty("annotations", out var an) && !an.TryGetProperty("org.opencontainers.image.ref.name", out _),
                "index.json: a referrer has a tag or no annotations");
            var digest = Str(d, "digest")!;
            var artifact = Parse(blobs[digest].Small!, "referrer " + digest);
            Check(Str(artifact, "artifactType") == Str(d, "artifactType"), "referrer: artifactType differs from index.json's");
            CheckDescriptor(artifact.GetProperty("config"), blobs, "application/vnd.oci.empty.v1+json", "referrer config");
            Check(blobs[Str(artifact.GetProperty("config"), "digest")!].Small is [(byte)'{', (byte)'}'], "referrer config is not {}");
            Check(Str(artifact.GetProperty("subject"), "digest") == manifestDigest, "referrer: subject is not the image manifest");
            Check(Str(artifact.GetProperty("subject"), "mediaType") == manifestType, "referrer: subject mediaType differs");
            var layer = artifact.GetProperty("layers").EnumerateArray().Single();
            CheckDescriptor(layer, blobs, Str(d, "artifactType")!, "referrer layer");
            referrers.Add(new ArchiveReferrer(Str(d, "artifactType")!, digest, Str(layer, "mediaType")!, blobs[Str(layer, "digest")!].Small!));
        }
        return new ArchiveView(manifestDigest, index, manifest, config, repoTags, names, layers) { Referrers = referrers };
    }

    private static (string DiffId, IReadOnlyList<LayerEntry> Entries) ReadLayer(string archivePath, string digest, string mediaType)
    {
        (string, IReadOnlyList<LayerEntry>)? result = null;
        var name = "blobs/sha256/" + Hex(digest);
        ForEachEntry(archivePath, (entry, data) =>
        {
            if (entry.Name != name || result != null) return;
            var tar = LayerStreams.Open(data!, mediaType, leaveOpen: true);
            using var decompressed = tar == data ? null : tar;
            using var hashing = new HashingReadStream(tar);
            var entries = new List<LayerEntry>();
            using (var reader = new TarReader(new ZeroTailStream(hashing), leaveOpen: true))
            {
                while (reader.GetNextEntry() is { } e)
                {
                    // umoci names the root folder "/" (and others "./"): harmless, runtimes skip it; anything else absolute is not.
                    Check((e.Name is "/" or "./" || !e.Name.StartsWith('/')) && !e.Name.Split('/').Contains(".."), $"layer {digest}: unsafe name '{e.Name}'");
                    byte[]? content = null;
                    if (e.EntryType == TarEntryType.RegularFile && e.Length <= KeepContent && e.DataStream != null)
                    {
                        using var ms = new MemoryStream();
                        e.DataStream.CopyTo(ms);
                        content = ms.ToArray();
                    }
                    entries.Add(new LayerEntry("/" + e.Name.TrimEnd('/'), e.Name, e.EntryType, (int)e.Mode, e.Uid, e.Gid,
                        e.Length, string.IsNullOrEmpty(e.LinkName) ? null : e.LinkName, e.ModificationTime, content));
                }
            }
            hashing.CopyTo(Stream.Null); // the end-of-archive blocks (and gzip's CRC check) count too
            var dup = entries.GroupBy(e => e.Path).FirstOrDefault(g => g.Count() > 1);
            Check(dup == null, $"layer {digest}: '{dup?.Key}' appears twice");
            result = ("sha256:" + hashing.Hex(), entries);
        });
        return result ?? throw new InvalidDataException($"{archivePath}: layer blob {name} not found");
    }

    private static void ForEachEntry(string archivePath, Action<TarEntry, Stream?> visit)
    {
        using var file = File.OpenRead(archivePath);
        using var reader = new TarReader(file);
        while (reader.GetNextEntry() is { } entry)
            visit(entry, entry.DataStream);
    }

    private static void CheckDescriptor(JsonElement d, Dictionary<string, (long Size, byte[]? Small)> blobs, string mediaType, string where) =>
        CheckDescriptor(d, blobs, [mediaType], where);

    private static void CheckDescriptor(JsonElement d, Dictionary<string, (long Size, byte[]? Small)> blobs, string[] mediaTypes, string where)
    {
        var digest = Str(d, "digest") ?? throw new InvalidDataException($"{where}: descriptor without digest");
        Check(blobs.TryGetValue(digest, out var blob), $"{where}: blob {digest} is not in the archive");
        Check(d.GetProperty("size").GetInt64() == blob.Size, $"{where}: {digest} has {blob.Size} bytes, descriptor says {d.GetProperty("size")}");
        var actual = Str(d, "mediaType");
        Check(mediaTypes.Contains(actual), $"{where}: unexpected mediaType '{actual}'");
    }

    private static (string Hex, long Size, byte[]? Small) Hash(Stream data, bool keep)
    {
        using var hashing = new HashingReadStream(data);
        var ms = keep ? new MemoryStream() : null;
        hashing.CopyTo(ms ?? Stream.Null);
        return (hashing.Hex(), hashing.Count, ms?.ToArray());
    }

    private static JsonElement Parse(byte[] json, string what)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.Clone();
        }
        catch (JsonException e) { throw new InvalidDataException($"{what} is not valid JSON: {e.Message}"); }
    }

    private static string? Str(JsonElement o, string name) => o.TryGetProperty(name, out var v) ? v.GetString() : null;

    private static string Hex(string digest) => digest[(digest.IndexOf(':') + 1)..];

    private static void Check(bool ok, string message)
    {
        if (!ok) throw new InvalidDataException("Invalid image archive: " + message);
    }

    /// <summary>
    /// Zeros after the end of its stream: umoci 0.4 writes layers without the final padding and end blocks, which Go's
    /// tar reader (every runtime) accepts and System.Formats.Tar does not.
    /// </summary>
    private sealed class ZeroTailStream(Stream inner) : Stream
    {
        private int tail = -1;
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (tail < 0)
            {
                var n = inner.Read(buffer);
                if (n > 0 || buffer.Length == 0) return n;
                tail = 1536;
            }
            var z = Math.Min(tail, buffer.Length);
            buffer[..z].Clear();
            tail -= z;
            return z;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>Hashes and counts what is read through it.</summary>
    private sealed class HashingReadStream(Stream inner) : Stream
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        public long Count { get; private set; }
        public string Hex() => Convert.ToHexString(_hash.GetHashAndReset()).ToLowerInvariant();

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = inner.Read(buffer);
            _hash.AppendData(buffer[..n]);
            Count += n;
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => Count; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        protected override void Dispose(bool disposing)
        {
            if (disposing) _hash.Dispose();
            base.Dispose(disposing);
        }
    }
}
