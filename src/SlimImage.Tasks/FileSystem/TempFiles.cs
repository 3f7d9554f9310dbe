using System.Globalization;
using System.IO.Enumeration;

namespace SlimImage.FileSystem;

/// <summary>
/// Names of SlimImage's temporary files and folders, and the removal of those a build left when it was killed
/// (<c>kill -9</c>, an out-of-memory kill, a power cut) before it could delete them itself.
/// </summary>
/// <remarks>
/// Every temp name carries its writer: <c>{prefix}{pid}-{12 hex}{suffix}</c>. A name is only removed when it matches
/// that pattern exactly and the process <c>pid</c> no longer exists (<c>/proc/{pid}</c>), so a build still running
/// — in this process, another MSBuild node or another <c>dotnet publish</c> — keeps its files. A non-empty file is
/// in addition only removed when its advisory lock is free: its writer opened it with <see cref="FileShare.None"/>,
/// which .NET turns into <c>flock(LOCK_EX)</c>, so a writer in another pid namespace (a container sharing the
/// folder) is never cut off either; it is only opened once <c>statx</c> says it is a regular file of this user (in a
/// sticky folder such as /tmp no one else can then swap a FIFO in, whose opening would block). Empty files (FIFOs
/// included) are unlinked without being opened; folders must be this user's. What stays: files of a process whose pid
/// was reused by a live process, until that one ends.
/// </remarks>
internal static class TempFiles
{
    /// <summary>The middle of a temp name written by this process: <c>{pid}-{12 random hex digits}</c>.</summary>
    public static string Owner() =>
        Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>
    /// Removes from <paramref name="folder"/> (not below it) the files, and with <paramref name="folders"/> also the
    /// folders, named <c>{prefix}{pid}-{12 hex}{suffix}</c> whose writer has gone. Returns the names removed. Never
    /// follows a symbolic link, never throws for a file it cannot remove.
    /// </summary>
    public static IReadOnlyList<string> RemoveStale(string folder, string prefix, string suffix, bool folders = false)
    {
        // Without /proc nothing can tell a killed build from a running one: then nothing is removed.
        if (!Directory.Exists(folder) || !Directory.Exists("/proc/self")) return [];
        // .NET skips dot-files on Linux by default (EnumerationOptions.AttributesToSkip = Hidden | System).
        var options = new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = true, RecurseSubdirectories = false };
        List<Candidate> found;
        try
        {
            found = new FileSystemEnumerable<Candidate>(folder,
                (ref FileSystemEntry e) => new Candidate(e.ToFullPath(), e.FileName.ToString(), e.IsDirectory, e.Length),
                options)
            {
                // The name first: it costs no system call, and the archive's folder may hold thousands of files.
                ShouldIncludePredicate = (ref FileSystemEntry e) =>
                    Pid(e.FileName, prefix, suffix) is { } pid && (e.Attributes & FileAttributes.ReparsePoint) == 0
                    && (folders || !e.IsDirectory) && IsGone(pid),
            }.ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
        var removed = new List<string>();
        foreach (var c in found)
            if (c.IsDirectory ? TryDeleteFolder(c.Path) : TryDeleteFile(c.Path, c.Length))
                removed.Add(c.Name);
        removed.Sort(StringComparer.Ordinal);
        return removed;
    }

    /// <summary>The pid in <paramref name="name"/> when it is <c>{prefix}{pid}-{12 lower-case hex}{suffix}</c>.</summary>
    internal static int? Pid(ReadOnlySpan<char> name, string prefix, string suffix)
    {
        if (name.Length <= prefix.Length + suffix.Length || !name.StartsWith(prefix, StringComparison.Ordinal)
            || !name.EndsWith(suffix, StringComparison.Ordinal))
            return null;
        var middle = name[prefix.Length..^suffix.Length];
        var dash = middle.IndexOf('-');
        if (dash is < 1 or > 10 || middle.Length - dash - 1 != 12) return null;
        foreach (var c in middle[(dash + 1)..])
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c)) return null;
        foreach (var c in middle[..dash])
            if (!char.IsAsciiDigit(c)) return null;
        return int.TryParse(middle[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 0 ? pid : null;
    }

    private static bool IsGone(int pid) =>
        pid != Environment.ProcessId && !Directory.Exists("/proc/" + pid.ToString(CultureInfo.InvariantCulture));

    private static bool TryDeleteFile(string path, long length)
    {
        try
        {
            if (length == 0)
            {
                File.Delete(path);
                return true;
            }
            if (!FileIdentity.IsOwn(path, directory: false)) return false;
            // Taking the writer's lock proves nobody writes it; deleting while holding it closes the race.
            using var locked = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.None, 1, FileOptions.None);
            File.Delete(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // in use (its lock is held), or not ours to delete: left as it is
        }
    }

    private static bool TryDeleteFolder(string path)
    {
        try
        {
            // Directory.Delete removes symbolic links inside, never what they point to.
            if (!FileIdentity.IsOwn(path, directory: true)) return false;
            Directory.Delete(path, recursive: true);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private sealed record Candidate(string Path, string Name, bool IsDirectory, long Length);

    /// <summary>Deletes a temp file, best effort: a leftover is swept by a later build.</summary>
    public static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* best effort: it is a temp file */ }
    }
}
