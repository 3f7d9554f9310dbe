using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace SlimImage.FileSystem;

/// <summary>
/// A file as the kernel knows it: device, inode, size, mtime and ctime, from <c>statx(2)</c>. Unlike size and mtime,
/// the ctime (status change time) is set by the kernel alone, to the current time, on every write, truncate, rename,
/// chmod, chown, link and utimes: a file rewritten in place and given its old mtime back still gets a new ctime, and a
/// file put in its place is another inode. What it cannot see: changes that bypass the file system (a failing disk,
/// a raw write to the block device), and a root user who sets the clock back or edits the inode.
/// </summary>
internal static unsafe class FileIdentity
{
    // struct statx (include/uapi/linux/stat.h) has one layout on every architecture.
    private const int AtFdCwd = -100, AtSymlinkNoFollow = 0x100, StatxBasicStats = 0x7ff;
    private const uint Needed = 0x40 | 0x80 | 0x100 | 0x200; // STATX_MTIME | STATX_CTIME | STATX_INO | STATX_SIZE

    // glibc has statx since 2.28, musl since 1.2.5; looked up in the process's global scope (the host links libc).
    private static readonly delegate* unmanaged<int, byte*, int, uint, byte*, int> Statx = Find();

    /// <summary><c>dev:ino size mtime ctime</c> (nanoseconds), or null where statx is missing or fails.</summary>
    public static string? Of(string path)
    {
        if (Statx == null) return null;
        var name = Encoding.UTF8.GetBytes(path + "\0");
        var buffer = stackalloc byte[256];
        int result;
        fixed (byte* p = name)
            result = Statx(AtFdCwd, p, AtSymlinkNoFollow, StatxBasicStats, buffer);
        if (result != 0 || (*(uint*)buffer & Needed) != Needed) return null;
        return string.Create(CultureInfo.InvariantCulture,
            $"{*(uint*)(buffer + 136)}.{*(uint*)(buffer + 140)}:{*(ulong*)(buffer + 32)} {*(ulong*)(buffer + 40)} {Time(buffer + 112)} {Time(buffer + 96)}");
    }

    /// <summary>A struct statx_timestamp: tv_sec (s64), tv_nsec (u32).</summary>
    private static string Time(byte* at) =>
        string.Create(CultureInfo.InvariantCulture, $"{*(long*)at}.{*(uint*)(at + 8):D9}");

    private static delegate* unmanaged<int, byte*, int, uint, byte*, int> Find()
    {
        try
        {
            return NativeLibrary.TryGetExport(NativeLibrary.GetMainProgramHandle(), "statx", out var f)
                ? (delegate* unmanaged<int, byte*, int, uint, byte*, int>)f
                : null;
        }
        catch (Exception e) when (e is PlatformNotSupportedException or EntryPointNotFoundException or DllNotFoundException)
        {
            return null;
        }
    }
}
