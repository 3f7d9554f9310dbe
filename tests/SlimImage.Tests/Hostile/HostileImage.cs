using System.Formats.Tar;
using System.Text;
using SlimImage.Oci;

namespace SlimImage.Tests.Hostile;

/// <summary>
/// The JSON documents and the layer of a one-layer image, written by hand so a test can put any string where a
/// digest belongs. Every field not overridden is valid and consistent.
/// </summary>
internal sealed class HostileImage
{
    public const string LayerType = "application/vnd.oci.image.layer.v1.tar";

    public HostileImage(string greeting = "hello from a hostile base\n")
    {
        using var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "opt/") { Mode = (UnixFileMode)0b111_101_101 });
            var file = new PaxTarEntry(TarEntryType.RegularFile, "opt/greeting.txt")
            {
                Mode = (UnixFileMode)0b110_100_100,
                DataStream = new MemoryStream(Encoding.UTF8.GetBytes(greeting)),
            };
            writer.WriteEntry(file);
        }
        Layer = tar.ToArray();
        LayerDigest = Digest.Of(Layer).ToString();
        DiffId = LayerDigest; // an uncompressed layer's digest is its diff_id
    }

    public byte[] Layer { get; }
    public string LayerDigest { get; set; }
    public long LayerSize { get; set; } = -1;
    public string DiffId { get; set; }
    public string? ConfigDigest { get; set; }
    public long ConfigSize { get; set; } = -1;
    public string? ManifestDigest { get; set; }

    public byte[] Config => Encoding.UTF8.GetBytes(
        $$$"""{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/bin:/bin"]},"rootfs":{"type":"layers","diff_ids":["{{{DiffId}}}"]}}""");

    public string RealConfigDigest => Digest.Of(Config).ToString();

    public byte[] Manifest => Encoding.UTF8.GetBytes(
        $$$"""{"schemaVersion":2,"mediaType":"{{{MediaTypes.Manifest}}}","config":{"mediaType":"{{{MediaTypes.Config}}}","digest":"{{{ConfigDigest ?? RealConfigDigest}}}","size":{{{(ConfigSize >= 0 ? ConfigSize : Config.Length)}}}},"layers":[{"mediaType":"{{{LayerType}}}","digest":"{{{LayerDigest}}}","size":{{{(LayerSize >= 0 ? LayerSize : Layer.Length)}}}}]}""");

    public string RealManifestDigest => Digest.Of(Manifest).ToString();

    public byte[] Index => Encoding.UTF8.GetBytes(
        $$$"""{"schemaVersion":2,"mediaType":"{{{MediaTypes.Index}}}","manifests":[{"mediaType":"{{{MediaTypes.Manifest}}}","digest":"{{{ManifestDigest ?? RealManifestDigest}}}","size":{{{Manifest.Length}}},"platform":{"architecture":"amd64","os":"linux"},"annotations":{"org.opencontainers.image.ref.name":"base"}}]}""");

    /// <summary>
    /// An OCI archive: oci-layout, index.json and every blob under the name the (possibly hostile) digest gives it,
    /// normalised as a tar reader would, so the bytes a traversal asks for are really there.
    /// </summary>
    public void WriteArchive(string path)
    {
        using var file = File.Create(path);
        using var writer = new TarWriter(file, TarEntryFormat.Pax);
        void Add(string name, byte[] bytes) =>
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(bytes) });
        Add("oci-layout", """{"imageLayoutVersion":"1.0.0"}"""u8.ToArray());
        Add("index.json", Index);
        Add(BlobName(ManifestDigest ?? RealManifestDigest), Manifest);
        Add(BlobName(ConfigDigest ?? RealConfigDigest), Config);
        Add(BlobName(LayerDigest), Layer);
    }

    /// <summary>blobs/ALG/HEX with "." and ".." resolved and nothing above the root, as ArchiveFiles reads names.</summary>
    private static string BlobName(string digest)
    {
        var parts = new List<string>();
        foreach (var part in ("blobs/" + digest.Replace(':', '/')).Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".") continue;
            if (part == "..") { if (parts.Count > 0) parts.RemoveAt(parts.Count - 1); continue; }
            parts.Add(part);
        }
        return string.Join('/', parts);
    }
}
