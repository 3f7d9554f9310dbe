using System.Buffers.Binary;
using System.IO.Compression;

namespace SlimImage.Tests.Support;

/// <summary>
/// Reads the pixels of an 8-bit, non-interlaced RGB or RGBA PNG (what Chromium's screenshots are), so that tests can
/// assert on what a page showed. Anything else is refused rather than misread.
/// </summary>
public sealed class Png
{
    public int Width { get; }
    public int Height { get; }
    private readonly byte[] rgb;

    private Png(int width, int height, byte[] rgb) => (Width, Height, this.rgb) = (width, height, rgb);

    public (byte R, byte G, byte B) this[int x, int y]
    {
        get
        {
            var i = (y * Width + x) * 3;
            return (rgb[i], rgb[i + 1], rgb[i + 2]);
        }
    }

    public static Png Read(string path)
    {
        var data = File.ReadAllBytes(path);
        if (!data.AsSpan(0, 8).SequenceEqual(new byte[] { 137, 80, 78, 71, 13, 10, 26, 10 }))
            throw new InvalidDataException($"{path} is not a PNG");
        int width = 0, height = 0, channels = 0;
        using var idat = new MemoryStream();
        for (var at = 8; at + 8 <= data.Length;)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(at));
            var type = System.Text.Encoding.ASCII.GetString(data, at + 4, 4);
            var body = data.AsSpan(at + 8, length);
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(body);
                height = BinaryPrimitives.ReadInt32BigEndian(body[4..]);
                if (body[8] != 8 || body[12] != 0) throw new InvalidDataException($"{path}: only 8-bit, non-interlaced PNGs are read");
                channels = body[9] switch { 2 => 3, 6 => 4, _ => throw new InvalidDataException($"{path}: colour type {body[9]} is not RGB or RGBA") };
            }
            else if (type == "IDAT") idat.Write(body);
            else if (type == "IEND") break;
            at += 12 + length;
        }
        idat.Position = 0;
        using var z = new ZLibStream(idat, CompressionMode.Decompress);
        var stride = width * channels;
        var raw = new byte[(stride + 1) * height];
        z.ReadExactly(raw);
        var pixels = new byte[stride * height];
        for (var y = 0; y < height; y++)
        {
            var filter = raw[y * (stride + 1)];
            for (var x = 0; x < stride; x++)
            {
                int a = x >= channels ? pixels[y * stride + x - channels] : 0;
                int b = y > 0 ? pixels[(y - 1) * stride + x] : 0;
                int c = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels] : 0;
                int v = raw[y * (stride + 1) + 1 + x];
                pixels[y * stride + x] = (byte)(filter switch
                {
                    0 => v,
                    1 => v + a,
                    2 => v + b,
                    3 => v + (a + b) / 2,
                    4 => v + Paeth(a, b, c),
                    _ => throw new InvalidDataException($"{path}: filter {filter}"),
                });
            }
        }
        var rgb = new byte[width * height * 3];
        for (var i = 0; i < width * height; i++)
            for (var k = 0; k < 3; k++) rgb[i * 3 + k] = pixels[i * channels + k];
        return new Png(width, height, rgb);
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
