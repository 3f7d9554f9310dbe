using SlimImage.Tar;
using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using SlimImage.Diagnostics;
using SlimImage.Layers;
using SlimImage.Layers.Compression;
using Xunit;

namespace SlimImage.Tests.Layers;

/// <summary>The header encoder and the size checks, tested without streaming gigabytes.</summary>
public class TarEntryWriterTests
{
    private const long EightGiB = 8L * 1024 * 1024 * 1024;

    /// <summary>
    /// Reads the header back from a sparse file holding it, a data region of the declared size that is never
    /// written (a hole), and the end-of-archive blocks: TarReader checks the whole layout without 8 GiB of I/O.
    /// </summary>
    private static (string Name, long Length, int Uid, int Gid) ReadHeaderOnly(byte[] header, long size = 0)
    {
        var path = Path.Combine(Support.Repo.NewTempDir("sparse"), "header.tar");
        try
        {
            using (var file = new FileStream(path, FileMode.CreateNew))
            {
                file.Write(header);
                file.SetLength(header.Length + (size + 511) / 512 * 512 + 1024);
            }
            using var reader = new TarReader(File.OpenRead(path));
            var entry = reader.GetNextEntry(copyData: false)!;
            var seen = (entry.Name, entry.Length, entry.Uid, entry.Gid);
            Assert.Null(reader.GetNextEntry()); // skips the hole, then finds the two zero blocks
            return seen;
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void HeaderOfAnEightGiBFileCarriesItsSizeInAPaxRecord_CheckedOnASparseTar()
    {
        var header = TarEntryWriter.EncodeHeader(new TarHeader("app/big.bin", TarHeader.RegularFile, 0x1A4, 0, 0, EightGiB + 1, 0, null));

        Assert.Equal(3 * 512, header.Length); // 'x' header, one block of records, the ustar block
        Assert.Equal((byte)'x', header[156]);
        Assert.Equal("app/PaxHeaders.0/big.bin", Encoding.ASCII.GetString(header, 0, 100).TrimEnd('\0'));
        Assert.Equal("19 size=8589934593\n", Encoding.ASCII.GetString(header, 512, 19));
        Assert.Equal("00000000000\0", Encoding.ASCII.GetString(header, 1024 + 124, 12)); // the octal field cannot hold it
        var entry = ReadHeaderOnly(header, EightGiB + 1);
        Assert.Equal("app/big.bin", entry.Name);
        Assert.Equal(EightGiB + 1, entry.Length);
    }

    [Fact]
    public void HeaderJustBelowEightGiBStaysPlainUstar_CheckedOnASparseTar()
    {
        var header = TarEntryWriter.EncodeHeader(new TarHeader("big", TarHeader.RegularFile, 0x1A4, 0, 0, EightGiB - 1, 0, null));
        Assert.Equal(512, header.Length);
        Assert.Equal("77777777777\0", Encoding.ASCII.GetString(header, 124, 12));
        Assert.Equal(EightGiB - 1, ReadHeaderOnly(header, EightGiB - 1).Length);
    }

    [Fact]
    public void UsualHeaderHasZeroPaddedOctalFieldsMagicAndChecksum()
    {
        var h = TarEntryWriter.EncodeHeader(new TarHeader("app/hello", TarHeader.RegularFile, 0x1ED, 1654, 1654, 5, 1_700_000_000, null));
        string Field(int offset, int length) => Encoding.ASCII.GetString(h, offset, length);
        Assert.Equal("0000755\0", Field(100, 8));
        Assert.Equal("0003166\0", Field(108, 8));
        Assert.Equal("00000000005\0", Field(124, 12));
        Assert.Equal("14524770400\0", Field(136, 12));
        Assert.Equal("ustar\000", Field(257, 8));
        Assert.Equal(new byte[64], h[265..329]); // uname, gname empty
        Assert.Equal("0000000\00000000\0", Field(329, 16));
        var sum = h.Select((b, i) => i is >= 148 and < 156 ? (int)' ' : b).Sum();
        Assert.Equal(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ", Field(148, 8));
    }

    [Fact]
    public void OwnersBeyondSevenOctalDigitsGoToPaxUidAndGid()
    {
        var header = TarEntryWriter.EncodeHeader(new TarHeader("f", TarHeader.RegularFile, 0x1A4, 3_000_000, 2_097_152, 0, 0, null));
        var records = Encoding.ASCII.GetString(header, 512, 512).TrimEnd('\0');
        Assert.Equal("15 gid=2097152\n15 uid=3000000\n", records);
        var entry = ReadHeaderOnly(header);
        Assert.Equal(3_000_000, entry.Uid);
        Assert.Equal(2_097_152, entry.Gid);
    }

    [Fact]
    public void PaxRecordLengthCountsItsOwnDigits()
    {
        // 990 characters: with a 3-digit count the record would be 1000 bytes, which needs 4 digits, so it is 1001.
        var name = new string('n', 990);
        var header = TarEntryWriter.EncodeHeader(new TarHeader(name, TarHeader.RegularFile, 0x1A4, 0, 0, 0, 0, null));
        var record = Encoding.ASCII.GetString(header, 512, 1024).TrimEnd('\0');
        Assert.StartsWith("1001 path=", record);
        Assert.Equal(int.Parse(record[..record.IndexOf(' ')]), record.Length);
        Assert.Equal(name, ReadHeaderOnly(header).Name);
    }

    [Fact]
    public void ASourceShorterThanItsDeclaredSizeIsSlim3002()
    {
        var tar = new TarEntryWriter(new MemoryStream(), 0);
        var e = Assert.Throws<SlimException>(() =>
            tar.WriteFile("f", 0x1A4, 0, 0, 10, new MemoryStream(new byte[7]), "/src/shrinking.so", default));
        Assert.Equal("SLIM3002", e.Code);
        Assert.Contains("/src/shrinking.so", e.Message);
        Assert.Contains("10 bytes when opened and 7 when read", e.Message);
    }

    [Fact]
    public void ASourceLongerThanItsDeclaredSizeIsSlim3002()
    {
        var tar = new TarEntryWriter(new MemoryStream(), 0);
        var e = Assert.Throws<SlimException>(() =>
            tar.WriteFile("f", 0x1A4, 0, 0, 10, new MemoryStream(new byte[12]), "/src/growing.log", default));
        Assert.Equal("SLIM3002", e.Code);
        Assert.Contains("10 bytes when opened and 12 when read", e.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(13)]
    [InlineData(100_003)]
    public void AGzipMemberHasAFixedHeaderAndDecompressesToItsInput(int length)
    {
        var data = new byte[length];
        new Random(42).NextBytes(data.AsSpan(0, length / 2)); // half random, half zeros: something to compress
        using var member = new PooledBufferStream(1);
        new GzipMemberCodec(6).Compress(data, member);
        var bytes = member.Written.ToArray();

        // MTIME 0, XFL 0, OS 255 whatever zlib and the platform would have written.
        Assert.Equal(new byte[] { 0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF }, bytes[..10]);
        using var back = new MemoryStream();
        new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress).CopyTo(back);
        Assert.Equal(data, back.ToArray());
        // The trailer: CRC-32 of the data (zlib's), and ISIZE.
        Assert.Equal((uint)length, BitConverter.ToUInt32(bytes, bytes.Length - 4));
    }
}
