using System.Buffers.Binary;
using System.Text.RegularExpressions;

namespace SlimImage.Smoke;

/// <summary>Which of the image's files a traced run opened, and the largest it never opened.</summary>
public sealed record FileUseReport(int OpenedFiles, long OpenedBytes, int AllFiles, long AllBytes, IReadOnlyList<(string Path, long Size)> LargestUnopened);

/// <summary>
/// Reads the strace log of a run (<c>strace -f -e trace=chroot,open,openat,openat2,execve,execveat</c>, successful calls
/// only) for the files the app opened inside its root, as <c>image-check --floor</c> does: only calls after the
/// successful chroot, by the process that made it or by a process or thread first seen after it (the setup's own
/// processes have ended by then), count. Paths are resolved through the image's links; the program interpreter of an
/// executed ELF file counts too (the kernel maps it without an open).
/// </summary>
public static partial class FileUse
{
    public static FileUseReport Read(string traceFile, string rootFolder, string workingDir, IReadOnlySet<string> ignored, int largest = 10)
    {
        var root = new RootFolder(rootFolder);
        var known = new HashSet<int>();
        var inside = new HashSet<int>();
        var chrooted = false;
        var opened = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(traceFile))
        {
            var m = Call().Match(line);
            if (!m.Success) continue;
            var pid = int.Parse(m.Groups["pid"].Value, System.Globalization.CultureInfo.InvariantCulture);
            var call = m.Groups["call"].Value;
            if (call == "chroot")
            {
                chrooted = true;
                inside.Add(pid);
            }
            else if (chrooted && !known.Contains(pid))
            {
                inside.Add(pid);
            }
            known.Add(pid);
            if (!inside.Contains(pid) || call == "chroot") continue;
            var path = Unescape(m.Groups["path"].Value);
            if (!path.StartsWith('/'))
            {
                // Relative to a folder descriptor the log does not name: unknown.
                if (m.Groups["dirfd"].Success) continue;
                path = workingDir.TrimEnd('/') + "/" + path;
            }
            if (root.Resolve(path) is { } host && IsFile(host))
            {
                opened.Add(host);
                if (call.StartsWith("execve", StringComparison.Ordinal) && Interpreter(host) is { } interp && root.Resolve(interp) is { } h && IsFile(h))
                    opened.Add(h);
            }
        }
        var all = new List<(string Path, long Size)>();
        foreach (var file in Directory.EnumerateFiles(root.Path, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true }))
        {
            var image = root.ImagePath(file);
            if (ignored.Any(i => image == i || image.StartsWith(i + "/", StringComparison.Ordinal))) continue;
            all.Add((file, new FileInfo(file).Length));
        }
        var used = all.Where(f => opened.Contains(f.Path)).ToList();
        var unused = all.Where(f => !opened.Contains(f.Path)).OrderByDescending(f => f.Size).ThenBy(f => f.Path, StringComparer.Ordinal)
            .Take(largest).Select(f => (root.ImagePath(f.Path), f.Size)).ToList();
        return new FileUseReport(used.Count, used.Sum(f => f.Size), all.Count, all.Sum(f => f.Size), unused);
    }

    private static bool IsFile(string host) => File.Exists(host) && RootFolder.LinkTarget(host) == null;

    /// <summary>PT_INTERP of a 64-bit little-endian ELF file, or null.</summary>
    private static string? Interpreter(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            var head = new byte[64];
            if (file.Read(head) < 64 || !head.AsSpan(0, 4).SequenceEqual("\x7fELF"u8) || head[4] != 2 || head[5] != 1) return null;
            var phoff = BinaryPrimitives.ReadInt64LittleEndian(head.AsSpan(32));
            int size = BinaryPrimitives.ReadUInt16LittleEndian(head.AsSpan(54)), count = BinaryPrimitives.ReadUInt16LittleEndian(head.AsSpan(56));
            var ph = new byte[56];
            for (var i = 0; i < Math.Min(count, 64) && size >= 56; i++)
            {
                file.Position = phoff + (long)i * size;
                if (file.Read(ph) < 56 || BinaryPrimitives.ReadUInt32LittleEndian(ph) != 3) continue;
                var offset = BinaryPrimitives.ReadInt64LittleEndian(ph.AsSpan(8));
                var length = (int)Math.Min(BinaryPrimitives.ReadInt64LittleEndian(ph.AsSpan(32)), 4096);
                var name = new byte[length];
                file.Position = offset;
                file.ReadExactly(name);
                return System.Text.Encoding.UTF8.GetString(name).TrimEnd('\0');
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException) { }
        return null;
    }

    /// <summary>strace's C escapes (<c>\"</c>, <c>\\</c>, <c>\n</c>, octal, <c>\x</c>) back to the name.</summary>
    private static string Unescape(string text) => text.Contains('\\') ? Regex.Unescape(text) : text;

    [GeneratedRegex(@"^(?<pid>\d+)\s+(?<call>chroot|open|openat2?|execveat|execve)\((?:AT_FDCWD, |(?<dirfd>-?\d+), )?""(?<path>(?:[^""\\]|\\.)*)""")]
    private static partial Regex Call();
}
