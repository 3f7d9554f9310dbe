using System.IO.Compression;
using System.Text;
using SlimImage.Publish.Bundle;

namespace SlimImage.Tests.Publish;

/// <summary>
/// Writes a single-file bundle the way the bundler lays it out (host, header-offset slot and signature, files, then the
/// v6 manifest), for tests that need a bundle with given contents. The host is any file, e.g. an ELF program.
/// </summary>
internal static class BundleWriter
{
    public static void Write(string path, byte[] host, IEnumerable<(string Path, BundleFileType Type, byte[] Content, bool Compress)> files)
    {
        using var output = new MemoryStream();
        output.Write(host);
        var slot = output.Position;
        output.Write(new byte[8]);
        output.Write(BundleReader.Signature);
        var entries = new List<(long Offset, long Size, long Compressed, BundleFileType Type, string Path)>();
        foreach (var (relative, type, content, compress) in files)
        {
            var offset = output.Position;
            if (compress)
            {
                using (var deflate = new DeflateStream(output, CompressionLevel.Optimal, leaveOpen: true)) deflate.Write(content);
                entries.Add((offset, content.Length, output.Position - offset, type, relative));
            }
            else
            {
                output.Write(content);
                entries.Add((offset, content.Length, 0, type, relative));
            }
        }
        var header = output.Position;
        using (var w = new BinaryWriter(output, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(6u);
            w.Write(0u);
            w.Write(entries.Count);
            w.Write("testbundleid");
            w.Write(new byte[32]); // deps.json and runtimeconfig.json locations: not read by SlimImage
            w.Write(0UL);
            foreach (var e in entries)
            {
                w.Write(e.Offset);
                w.Write(e.Size);
                w.Write(e.Compressed);
                w.Write((byte)e.Type);
                w.Write(e.Path);
            }
        }
        output.Position = slot;
        output.Write(BitConverter.GetBytes(header));
        File.WriteAllBytes(path, output.ToArray());
    }
}
