using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text.Json;
using SlimImage.Tests.Support;
using Xunit;

namespace SlimImage.Tests.EndToEnd;

/// <summary>One platform of a multi-platform archive: its manifest digest, its config, its layer digests.</summary>
public sealed record PlatformView(string Platform, string ManifestDigest, JsonElement Config, IReadOnlyList<string> Layers);

/// <summary>
/// Reads a multi-platform archive as a layout reader would, checking it on the way: every blob once and of its
/// digest, index.json naming the image index once per tag, each manifest and config there.
/// </summary>
/// <summary>An artifact the archive's index.json lists beside the image index: its type, the manifest it refers to, its content.</summary>
public sealed record ReferrerView(string ArtifactType, string Subject, byte[] Content);

public sealed class MultiPlatformArchive
{
    public required string IndexDigest { get; init; }
    public required IReadOnlyList<string> Tags { get; init; }
    public required IReadOnlyList<PlatformView> Platforms { get; init; }
    public required JsonElement DockerManifest { get; init; }
    public required IReadOnlyDictionary<string, long> Blobs { get; init; }
    public IReadOnlyList<ReferrerView> Referrers { get; init; } = [];

    public static MultiPlatformArchive Read(string path)
    {
        var blobs = new Dictionary<string, byte[]?>();
        var sizes = new Dictionary<string, long>();
        var files = new Dictionary<string, byte[]>();
        using (var file = File.OpenRead(path))
        using (var tar = new TarReader(file))
        {
            while (tar.GetNextEntry() is { } e)
            {
                if (e.EntryType != TarEntryType.RegularFile) continue;
                using var data = new MemoryStream();
                e.DataStream!.CopyTo(data);
                var bytes = data.ToArray();
                if (e.Name.StartsWith("blobs/sha256/", StringComparison.Ordinal))
                {
                    var digest = "sha256:" + e.Name["blobs/sha256/".Length..];
                    Assert.False(blobs.ContainsKey(digest), $"{e.Name} is in the archive twice");
                    Assert.Equal(digest, "sha256:" + Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant());
                    blobs[digest] = bytes.Length < 8 << 20 ? bytes : null;
                    sizes[digest] = bytes.Length;
                }
                else files[e.Name] = bytes;
            }
        }
        JsonElement Json(byte[] b) => JsonDocument.Parse(b).RootElement.Clone();
        var layout = Json(files["index.json"]);
        var all = layout.GetProperty("manifests").EnumerateArray().ToList();
        // Untagged entries with an artifactType are referrers (an SBOM per platform image), listed after the tags.
        var entries = all.Where(e => !e.TryGetProperty("artifactType", out _)).ToList();
        Assert.Equal(entries, all.Take(entries.Count));
        var referrers = all.Skip(entries.Count).Select(e =>
        {
            var manifest = Json(blobs[e.GetProperty("digest").GetString()!]!);
            var content = manifest.GetProperty("layers")[0].GetProperty("digest").GetString()!;
            return new ReferrerView(e.GetProperty("artifactType").GetString()!, manifest.GetProperty("subject").GetProperty("digest").GetString()!,
                blobs[content] ?? throw new InvalidDataException($"the referred content {content} is larger than 8 MB"));
        }).ToList();
        var indexDigest = entries[0].GetProperty("digest").GetString()!;
        Assert.All(entries, e => Assert.Equal(indexDigest, e.GetProperty("digest").GetString()));
        Assert.All(entries, e => Assert.Equal("application/vnd.oci.image.index.v1+json", e.GetProperty("mediaType").GetString()));
        var index = Json(blobs[indexDigest]!);
        var platforms = index.GetProperty("manifests").EnumerateArray().Select(m =>
        {
            var p = m.GetProperty("platform");
            var name = p.GetProperty("os").GetString() + "/" + p.GetProperty("architecture").GetString()
                       + (p.TryGetProperty("variant", out var v) ? "/" + v.GetString() : "");
            var digest = m.GetProperty("digest").GetString()!;
            var manifest = Json(blobs[digest]!);
            var config = Json(blobs[manifest.GetProperty("config").GetProperty("digest").GetString()!]!);
            Assert.Equal(p.GetProperty("architecture").GetString(), config.GetProperty("architecture").GetString());
            var layers = manifest.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("digest").GetString()!).ToList();
            Assert.All(layers, l => Assert.True(sizes.ContainsKey(l), $"layer {l} of {name} is missing"));
            return new PlatformView(name, digest, config, layers);
        }).ToList();
        return new MultiPlatformArchive
        {
            IndexDigest = indexDigest,
            Tags = entries.Select(e => e.GetProperty("annotations").GetProperty("org.opencontainers.image.ref.name").GetString()!).ToList(),
            Platforms = platforms,
            DockerManifest = Json(files["manifest.json"])[0],
            Blobs = sizes,
            Referrers = referrers,
        };
    }

    /// <summary>The image of one architecture, copied out by skopeo (which resolves the index as a runtime would) into
    /// an archive of its own, for <see cref="ImageRunner"/>.</summary>
    public static string Extract(string archive, string tag, string arch)
    {
        var single = Path.Combine(Repo.NewTempDir("platform"), arch + ".tar");
        Repo.Run("skopeo", ["copy", "--quiet", "--override-os", "linux", "--override-arch", arch, $"oci-archive:{archive}:{tag}",
            $"oci-archive:{single}:{tag}"], timeoutSeconds: 180).EnsureSuccess();
        return single;
    }
}
