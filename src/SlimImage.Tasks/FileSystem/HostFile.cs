using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using SlimImage.Diagnostics;

namespace SlimImage.FileSystem;

/// <summary>What a path of the build machine is: the S_IFMT bits of its stat.</summary>
public enum HostFileType { Missing, Regular, Directory, Symlink, Fifo, Socket, CharacterDevice, BlockDevice, Unknown }

/// <summary>
/// Every host file SlimImage reads is opened here, and only a regular file is ever read. <c>open()</c> of a named
/// pipe blocks until a writer comes, for ever, and neither SIGTERM nor the build's cancellation ends a thread blocked
/// in it; a device such as <c>/dev/zero</c> never ends. .NET has no API for the file type (File.GetUnixFileMode
/// masks it off), so the type comes from the stat shim of the runtime itself (libSystem.Native, part of every .NET
/// on Linux; its FileStatus has begun with Flags, Mode, Uid, Gid, Size since .NET Core 1.0), and a file is opened
/// with <c>O_NONBLOCK</c> and then checked by <c>fstat</c> on the handle: a pipe swapped in after any check opens at
/// once and is refused, never waited on.
/// </summary>
public static partial class HostFile
{
    // Linux's values on x86-64, arm64, arm, riscv64, ppc64le, s390x and loongarch64 (asm-generic/fcntl.h).
    private const int O_RDONLY = 0, O_NONBLOCK = 0x800, O_CLOEXEC = 0x80000;
    private const int S_IFMT = 0xF000, S_IFIFO = 0x1000, S_IFCHR = 0x2000, S_IFDIR = 0x4000, S_IFBLK = 0x6000,
        S_IFREG = 0x8000, S_IFLNK = 0xA000, S_IFSOCK = 0xC000;

    /// <summary>The type of <paramref name="path"/> itself: a symbolic link is <see cref="HostFileType.Symlink"/> (lstat).</summary>
    public static HostFileType TypeOf(string path) => TypeOf(path, out _);

    /// <summary>The type of <paramref name="path"/> itself (lstat), and its size in bytes as the file system gives it.</summary>
    public static HostFileType TypeOf(string path, out long size)
    {
        var found = LStat(path, out var status) == 0;
        size = found ? status.Size : 0;
        return found ? Kind(status.Mode) : HostFileType.Missing;
    }

    /// <summary>The type of what <paramref name="path"/> leads to, symbolic links followed (stat).</summary>
    public static HostFileType TargetTypeOf(string path) => Stat(path, out var status) == 0 ? Kind(status.Mode) : HostFileType.Missing;

    /// <summary>The permission bits (07777) of what <paramref name="path"/> leads to, or -1 when it cannot be stat'ed.</summary>
    public static int PermissionsOf(string path) => Stat(path, out var status) == 0 ? status.Mode & 0xFFF : -1;

    /// <summary>A FIFO, socket or device: nothing SlimImage may open.</summary>
    public static bool IsSpecial(HostFileType type) =>
        type is HostFileType.Fifo or HostFileType.Socket or HostFileType.CharacterDevice or HostFileType.BlockDevice or HostFileType.Unknown;

    /// <summary>"a named pipe (FIFO)", for messages.</summary>
    public static string Describe(HostFileType type) => type switch
    {
        HostFileType.Missing => "missing",
        HostFileType.Regular => "a regular file",
        HostFileType.Directory => "a directory",
        HostFileType.Symlink => "a symbolic link",
        HostFileType.Fifo => "a named pipe (FIFO)",
        HostFileType.Socket => "a socket",
        HostFileType.CharacterDevice => "a character device",
        HostFileType.BlockDevice => "a block device",
        _ => "a special file",
    };

    /// <summary>
    /// Opens a regular file for reading without ever blocking. Anything else (<paramref name="role"/> says what the
    /// file is for) is SLIM1021; a file that cannot be opened throws the <see cref="IOException"/> or
    /// <see cref="UnauthorizedAccessException"/> that <see cref="FileStream"/> would.
    /// </summary>
    public static FileStream OpenRead(string path, string role, int bufferSize = 4096) =>
        new(OpenHandle(path, role), FileAccess.Read, bufferSize);

    /// <summary>As <see cref="OpenRead"/>, for random access (<see cref="RandomAccess"/>).</summary>
    public static SafeFileHandle OpenHandle(string path, string role)
    {
        var fd = Open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            var text = Marshal.GetPInvokeErrorMessage(errno);
            // A socket cannot be opened at all (ENXIO): say what it is rather than what open() said.
            var target = TargetTypeOf(path);
            if (IsSpecial(target))
                throw new SlimException("SLIM1021", path, role, Describe(target));
            throw errno switch
            {
                2 or 20 => new FileNotFoundException($"Could not find file '{path}': {text}.", path),
                1 or 13 => new UnauthorizedAccessException($"Access to the path '{path}' is denied: {text}."),
                _ => new IOException($"'{path}': {text}."),
            };
        }
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            var type = FStat(handle, out var status) == 0 ? Kind(status.Mode) : HostFileType.Unknown;
            if (type != HostFileType.Regular)
                throw new SlimException("SLIM1021", path, role, Describe(type));
            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>The text of a regular file (UTF-8), read as <see cref="OpenRead"/> opens it.</summary>
    public static string ReadAllText(string path, string role)
    {
        using var stream = OpenRead(path, role);
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    private static HostFileType Kind(int mode) => (mode & S_IFMT) switch
    {
        S_IFREG => HostFileType.Regular,
        S_IFDIR => HostFileType.Directory,
        S_IFLNK => HostFileType.Symlink,
        S_IFIFO => HostFileType.Fifo,
        S_IFSOCK => HostFileType.Socket,
        S_IFCHR => HostFileType.CharacterDevice,
        S_IFBLK => HostFileType.BlockDevice,
        _ => HostFileType.Unknown,
    };

    /// <summary>The start of libSystem.Native's FileStatus (pal_io.h); the rest is room for what later runtimes add.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct FileStatus
    {
        [FieldOffset(4)] public int Mode;
        [FieldOffset(16)] public long Size;
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_LStat", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LStat(string path, out FileStatus status);

    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_Stat", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Stat(string path, out FileStatus status);

    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_FStat")]
    private static partial int FStat(SafeFileHandle fd, out FileStatus status);
}
