using System.Buffers.Binary;

namespace SlimImage.Layers;

/// <summary>
/// CRC-32 (IEEE 802.3, reflected 0xEDB88320) for the gzip trailer, slicing-by-8. System.IO.Hashing has one but is a
/// NuGet package the task would have to ship; this is the only place it is needed.
/// </summary>
internal struct Crc32
{
    private static readonly uint[] Table = BuildTable();
    private uint _crc;

    public Crc32() => _crc = 0xFFFF_FFFFu;

    public readonly uint Value => ~_crc;

    public void Append(ReadOnlySpan<byte> data)
    {
        var crc = _crc;
        var t = Table;
        while (data.Length >= 8)
        {
            var one = BinaryPrimitives.ReadUInt32LittleEndian(data) ^ crc;
            var two = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
            crc = t[7 * 256 + (one & 0xFF)] ^ t[6 * 256 + ((one >> 8) & 0xFF)]
                ^ t[5 * 256 + ((one >> 16) & 0xFF)] ^ t[4 * 256 + (one >> 24)]
                ^ t[3 * 256 + (two & 0xFF)] ^ t[2 * 256 + ((two >> 8) & 0xFF)]
                ^ t[1 * 256 + ((two >> 16) & 0xFF)] ^ t[two >> 24];
            data = data[8..];
        }
        foreach (var b in data)
            crc = t[(crc ^ b) & 0xFF] ^ (crc >> 8);
        _crc = crc;
    }

    private static uint[] BuildTable()
    {
        var t = new uint[8 * 256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++)
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
        for (var i = 0; i < 256; i++)
            for (var s = 1; s < 8; s++)
                t[s * 256 + i] = t[(s - 1) * 256 + i] >> 8 ^ t[t[(s - 1) * 256 + i] & 0xFF];
        return t;
    }
}
