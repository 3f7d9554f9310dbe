using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using SlimImage.Oci;

namespace SlimImage.Tests.Hostile;

/// <summary>One layer blob of a hand-made base: its file, media type and the diff_id the config claims.</summary>
internal sealed record HostileLayer(string BlobPath, string MediaType, string DiffId)
{
    public string Digest => "sha256:" + Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(BlobPath))).ToLowerInvariant();
}

/// <summary>
/// Base image archives an attacker could hand to a build, made byte by byte in the test: an OCI layout tar (oci-layout,
/// index.json, manifest, config, layers) around layers with odd entries, or decompression bombs written as many small
/// gzip members or zstd frames of zeros, so a layer that expands to GiBs takes a few MB and no time to make.
/// </summary>
internal static class HostileBaseArchive
{
    private const int Chunk = 1 << 20;

    /// <summary>A gzip layer whose tar is what <paramref name="write"/> writes (diff_id true to the bytes).</summary>
    public static HostileLayer Layer(string blobPath, Action<TarWriter> write)
    {
        var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true)) write(writer);
        File.WriteAllBytes(blobPath, Gzip(tar.ToArray()));
        return new HostileLayer(blobPath, MediaTypes.LayerGzip, "sha256:" + Convert.ToHexString(SHA256.HashData(tar.ToArray())).ToLowerInvariant());
    }

    /// <summary>
    /// A layer whose tar holds one file of zeros per size in <paramref name="sizes"/> (each a multiple of 1 MiB, below
    /// 8 GiB so a ustar header holds it). Its diff_id is true up to 256 MiB; above, it is made up (hashing GiBs would
    /// slow the test, and the limit must stop the read before the diff_id is checked).
    /// </summary>
    public static HostileLayer Bomb(string blobPath, string compression, params long[] sizes)
    {
        Func<byte[], byte[]> compress = compression == "zstd" ? data => new ZstdSharp.Compressor(19).Wrap(data).ToArray() : Gzip;
        var zeros = new byte[Chunk];
        var zerosCompressed = compress(zeros);
        using var diffId = sizes.Sum() <= 256 << 20 ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
        using (var blob = File.Create(blobPath))
        {
            void Add(byte[] tar, byte[] compressed)
            {
                diffId?.AppendData(tar);
                blob.Write(compressed);
            }
            for (var i = 0; i < sizes.Length; i++)
            {
                var header = Header($"zeros{i}", sizes[i]);
                Add(header, compress(header));
                for (var n = sizes[i] / Chunk; n > 0; n--) Add(zeros, zerosCompressed);
            }
            Add(new byte[1024], compress(new byte[1024]));
        }
        return new HostileLayer(blobPath, compression == "zstd" ? MediaTypes.LayerZstd : MediaTypes.LayerGzip,
            "sha256:" + (diffId == null ? new string('0', 64) : Convert.ToHexString(diffId.GetHashAndReset()).ToLowerInvariant()));
    }

    /// <summary>A gzip layer that starts with a tar header of type <paramref name="type"/> claiming <paramref name="size"/> bytes of zeros.</summary>
    public static HostileLayer MetadataBomb(string blobPath, char type, long size)
    {
        var zeros = Gzip(new byte[Chunk]);
        using (var blob = File.Create(blobPath))
        {
            blob.Write(Gzip(Header("PaxHeaders/big", size, type)));
            for (var n = size / Chunk; n > 0; n--) blob.Write(zeros);
            blob.Write(Gzip(new byte[1024]));
        }
        return new HostileLayer(blobPath, MediaTypes.LayerGzip, "sha256:" + new string('0', 64));
    }

    /// <summary>Writes an OCI image layout tar with one linux/amd64 image of <paramref name="layers"/> at <paramref name="path"/>.</summary>
    public static string Write(string path, params HostileLayer[] layers)
    {
        var config = Encoding.UTF8.GetBytes("""{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":["""
            + string.Join(",", layers.Select(l => $"\"{l.DiffId}\"")) + "]}}");
        var manifest = Encoding.UTF8.GetBytes($$"""{"schemaVersion":2,"mediaType":"{{MediaTypes.Manifest}}","config":{{Descriptor("application/vnd.oci.image.config.v1+json", config)}},"layers":[{{string.Join(",", layers.Select(l => Descriptor(l.MediaType, l.Digest, new FileInfo(l.BlobPath).Length)))}}]}""");
        var index = Encoding.UTF8.GetBytes($$"""{"schemaVersion":2,"manifests":[{{Descriptor(MediaTypes.Manifest, manifest)}}]}""");
        using var output = File.Create(path);
        using var writer = new TarWriter(output, TarEntryFormat.Pax);
        void Add(string name, byte[] data) => writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) });
        Add("oci-layout", """{"imageLayoutVersion":"1.0.0"}"""u8.ToArray());
        Add("index.json", index);
        Add("blobs/sha256/" + Hex(manifest), manifest);
        Add("blobs/sha256/" + Hex(config), config);
        foreach (var layer in layers.DistinctBy(l => l.Digest))
            writer.WriteEntry(layer.BlobPath, "blobs/sha256/" + layer.Digest[7..]);
        return path;
    }

    private static string Descriptor(string mediaType, byte[] data) => Descriptor(mediaType, "sha256:" + Hex(data), data.Length);

    private static string Descriptor(string mediaType, string digest, long size) =>
        "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + digest + "\",\"size\":" + size + "}";

    private static string Hex(byte[] data) => Convert.ToHexString(SHA256.HashData(data)).ToLowerInvariant();

    private static byte[] Gzip(byte[] data)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true)) gzip.Write(data);
        return output.ToArray();
    }

    /// <summary>A ustar header of a regular file (written by hand: TarWriter would want the data, GiBs of it).</summary>
    public static byte[] Header(string name, long size, char type = '0')
    {
        var h = new byte[512];
        void Put(int at, string text) => Encoding.ASCII.GetBytes(text).CopyTo(h, at);
        Put(0, name);
        Put(100, "0000644");
        Put(108, "0000000");
        Put(116, "0000000");
        Put(124, Convert.ToString(size, 8).PadLeft(11, '0'));
        Put(136, "00000000000");
        h[156] = (byte)type;
        Put(257, "ustar\0" + "00");
        Put(148, "        ");
        var sum = h.Sum(b => b);
        Put(148, Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ");
        return h;
    }
}
