using System.Formats.Tar;
using SlimImage.Layers;
using SlimImage.Tests.Support;
using SlimImage.Oci;

namespace SlimImage.Tests.Layers;

/// <summary>Reads a written layer back with System.Formats.Tar, an implementation independent of the writer.</summary>
internal static class LayerReader
{
    public static byte[] Uncompressed(LayerBlob blob)
    {
        using var data = LayerStreams.Open(System.IO.File.OpenRead(blob.BlobPath), blob.MediaType);
        using var ms = new MemoryStream();
        data.CopyTo(ms);
        return ms.ToArray();
    }

    public static List<TarEntry> Entries(LayerBlob blob) => Entries(Uncompressed(blob));

    public static List<TarEntry> Entries(byte[] tar)
    {
        var reader = new TarReader(new MemoryStream(tar));
        var list = new List<TarEntry>();
        while (reader.GetNextEntry(copyData: true) is { } e) list.Add(e);
        return list;
    }
}
