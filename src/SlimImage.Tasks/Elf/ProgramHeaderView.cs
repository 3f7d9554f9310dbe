using System.Buffers.Binary;

namespace SlimImage.Elf;

/// <summary>
/// A read-only view of an ELF file in which the section header table is a single null entry, for ELFSharp. Loading a
/// file, ELFSharp reads every section, and every entry of every symbol table with its name (1.4 MB of objects for
/// libc.so.6 alone), none of which the dynamic loader looks at: it works from the program headers, and so does
/// <see cref="ElfReader"/>. The view changes the ELF header's <c>e_shoff</c>, <c>e_shentsize</c>, <c>e_shnum</c> and
/// <c>e_shstrndx</c> to point at one zeroed entry past the end of the file; every other byte is the file's own.
/// </summary>
/// <remarks><see cref="ElfBounds.Check"/> has validated the header before a view is made.</remarks>
internal sealed class ProgramHeaderView : Stream
{
    private readonly Stream _file;
    private readonly long _fileLength;
    private readonly byte[] _header;
    private readonly int _nullEntrySize;
    private long _position;

    public ProgramHeaderView(Stream file)
    {
        _file = file;
        _fileLength = file.Length;
        var header = new byte[64];
        file.Position = 0;
        // A 32-bit file may be shorter than 64 bytes; ElfBounds.Check made sure it has its whole header.
        file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        var is64 = header[4] == 2;
        var little = header[5] == 1;
        _header = header[..(is64 ? 64 : 52)];
        _nullEntrySize = is64 ? 64 : 40;
        var span = _header.AsSpan();
        var at = is64 ? 58 : 46; // e_shentsize, e_shnum, e_shstrndx follow e_ehsize, e_phentsize, e_phnum
        if (is64) Write64(span[40..], (ulong)_fileLength, little);
        else Write32(span[32..], checked((uint)_fileLength), little);
        Write16(span[at..], (ushort)_nullEntrySize, little);
        Write16(span[(at + 2)..], 1, little);
        Write16(span[(at + 4)..], 0, little);
    }

    public override int Read(Span<byte> buffer)
    {
        var total = 0;
        while (!buffer.IsEmpty && _position < Length)
        {
            int n;
            if (_position < _header.Length)
            {
                n = Math.Min(buffer.Length, _header.Length - (int)_position);
                _header.AsSpan((int)_position, n).CopyTo(buffer);
            }
            else if (_position < _fileLength)
            {
                _file.Position = _position;
                n = _file.Read(buffer[..(int)Math.Min(buffer.Length, _fileLength - _position)]);
                if (n == 0) break;
            }
            else
            {
                n = (int)Math.Min(buffer.Length, Length - _position);
                buffer[..n].Clear(); // the null section header
            }
            buffer = buffer[n..];
            _position += n;
            total += n;
        }
        return total;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override long Seek(long offset, SeekOrigin origin) => _position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        SeekOrigin.End => Length + offset,
        _ => throw new ArgumentOutOfRangeException(nameof(origin)),
    };

    public override long Position { get => _position; set => _position = value; }
    public override long Length => _fileLength + _nullEntrySize;
    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private static void Write16(Span<byte> at, ushort value, bool little)
    {
        if (little) BinaryPrimitives.WriteUInt16LittleEndian(at, value); else BinaryPrimitives.WriteUInt16BigEndian(at, value);
    }

    private static void Write32(Span<byte> at, uint value, bool little)
    {
        if (little) BinaryPrimitives.WriteUInt32LittleEndian(at, value); else BinaryPrimitives.WriteUInt32BigEndian(at, value);
    }

    private static void Write64(Span<byte> at, ulong value, bool little)
    {
        if (little) BinaryPrimitives.WriteUInt64LittleEndian(at, value); else BinaryPrimitives.WriteUInt64BigEndian(at, value);
    }
}
