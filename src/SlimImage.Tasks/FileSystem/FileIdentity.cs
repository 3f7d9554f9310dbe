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
    private static readonly uint? EffectiveUid = Euid();

    /// <summary><c>dev:ino size mtime ctime</c> (nanoseconds), or null where statx is missing or fails.</summary>
    public static string? Of(string path)
    {
        var buffer = stackalloc byte[256];
        if (!Stat(path, buffer) || (*(uint*)buffer & Needed) != Needed) return null;
        return string.Create(CultureInfo.InvariantCulture,
            $"{*(uint*)(buffer + 136)}.{*(uint*)(buffer + 140)}:{*(ulong*)(buffer + 32)} {*(ulong*)(buffer + 40)} {Time(buffer + 112)} {Time(buffer + 96)}");
    }

    /// <summary>
    /// True when <paramref name="path"/> itself (no link followed) is a regular file, or with
    /// <paramref name="directory"/> a folder, owned by this process's user: what may be opened without blocking (a FIFO
    /// would) and removed without touching someone else's. False when that cannot be known.
    /// </summary>
    public static bool IsOwn(string path, bool directory)
    {
        var buffer = stackalloc byte[256];
        const uint typeAndUid = 0x1 | 0x8; // STATX_TYPE | STATX_UID
        if (EffectiveUid == null || !Stat(path, buffer) || (*(uint*)buffer & typeAndUid) != typeAndUid) return false;
        var type = *(ushort*)(buffer + 28) & 0xF000;
        return type == (directory ? 0x4000 : 0x8000) && *(uint*)(buffer + 20) == EffectiveUid;
    }

    private static bool Stat(string path, byte* buffer)
    {
        if (Statx == null) return false;
        var name = Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* p = name)
            return Statx(AtFdCwd, p, AtSymlinkNoFollow, StatxBasicStats, buffer) == 0;
    }

    /// <summary>A struct statx_timestamp: tv_sec (s64), tv_nsec (u32).</summary>
    private static string Time(byte* at) =>
        string.Create(CultureInfo.InvariantCulture, $"{*(long*)at}.{*(uint*)(at + 8):D9}");

    private static delegate* unmanaged<int, byte*, int, uint, byte*, int> Find() =>
        (delegate* unmanaged<int, byte*, int, uint, byte*, int>)Export("statx");

    private static uint? Euid()
    {
        var geteuid = (delegate* unmanaged<uint>)Export("geteuid");
        return geteuid == null ? null : geteuid();
    }

    private static IntPtr Export(string name)
    {
        try
        {
            return NativeLibrary.TryGetExport(NativeLibrary.GetMainProgramHandle(), name, out var f) ? f : IntPtr.Zero;
        }
        catch (Exception e) when (e is PlatformNotSupportedException or EntryPointNotFoundException or DllNotFoundException)
        {
            return IntPtr.Zero;
        }
    }
}
