using System.Text;
using System.Text.RegularExpressions;
using SlimImage.Diagnostics;
using SlimImage.Elf;
using SlimImage.FileSystem;
using SlimImage.Entries;

namespace SlimImage.Base;

/// <summary>A busybox binary chosen for the image, with its applets.</summary>
/// <param name="HostPath">The file on the build machine (links resolved), e.g. <c>/usr/bin/busybox</c>.</param>
/// <param name="Version">From its banner, e.g. "v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1)"; null when not found.</param>
/// <param name="Applets">As <c>busybox --list</c> prints them, e.g. "[", "ash", "cat", …, "sh", ….</param>
/// <param name="IsDynamic">It has a program interpreter or DT_NEEDED: its libraries must go into the image too.</param>
public sealed record BusyboxBinary(string HostPath, string? Version, IReadOnlyList<string> Applets, bool IsDynamic)
{
    /// <summary>
    /// The busybox layer's entries: <c>/bin/busybox</c> and <c>/bin/APPLET -> busybox</c> for each applet, as
    /// Debian's and Alpine's packages lay them out, so that <c>/bin/sh</c> is the shell.
    /// </summary>
    public IReadOnlyList<RootfsEntry> Entries()
    {
        var entries = new List<RootfsEntry>
        {
            RootfsEntry.Dir("/bin"),
            RootfsEntry.HostFile("/bin/busybox", HostPath, 0b111_101_101, EntryOrigin.System, "SlimImageBase=busybox"),
        };
        foreach (var applet in Applets.Where(a => a != "busybox"))
            entries.Add(RootfsEntry.Link("/bin/" + applet, "busybox"));
        return entries;
    }
}

/// <summary>
/// Finds the busybox of <c>SlimImageBase=busybox</c>: <c>SlimImageBusyboxPath</c>, else the sysroot's
/// <c>/bin/busybox</c> (Debian's busybox-static installs one there) and the other usual folders. Its applet list is
/// read from the binary itself (the NUL-separated <c>applet_names</c> table that <c>busybox --list</c> prints), so
/// nothing is executed and a busybox of another architecture works as well.
/// </summary>
public static partial class Busybox
{
    internal static readonly string[] Folders = ["/bin", "/usr/bin", "/sbin", "/usr/sbin"];

    [GeneratedRegex(@"^[A-Za-z0-9_.\[\]+-]{1,64}$")]
    private static partial Regex AppletName();

    [GeneratedRegex(@"BusyBox (v[0-9][^\x00\n]{0,80}?\))")]
    private static partial Regex Banner();

    /// <summary>Throws SLIM1301 (none found), SLIM1302 (given path missing), SLIM1303 (not usable), SLIM1304 (no applets).</summary>
    public static BusyboxBinary Find(string? givenPath, string sysroot, ElfTarget target)
    {
        string path;
        if (!string.IsNullOrWhiteSpace(givenPath))
        {
            path = Path.GetFullPath(givenPath);
            if (!File.Exists(path)) throw new SlimException("SLIM1302", path);
        }
        else
        {
            var looked = Folders.Select(f => f + "/busybox").ToList();
            path = looked.Select(p => SysrootPath.Walk(sysroot, p).Resolution).FirstOrDefault(r => r is { IsDirectory: false })?.HostPath
                ?? throw new SlimException("SLIM1301", string.Join(", ", looked.Select(p => SysrootPath.ToHost(sysroot, p))));
        }
        path = new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path;
        var elf = ElfReader.Read(path);
        if (elf.Info is not { } info)
            throw new SlimException("SLIM1303", path, elf.Kind == ElfReadKind.NotElf ? "it is not an ELF program" : elf.CorruptReason, target);
        if (!target.Matches(info))
            throw new SlimException("SLIM1303", path, "it is built for " + info.Target, target);
        var bytes = File.ReadAllBytes(path);
        var applets = Applets(bytes);
        if (!applets.Contains("sh"))
            throw new SlimException("SLIM1304", path);
        var banner = Banner().Match(Encoding.Latin1.GetString(bytes));
        return new BusyboxBinary(path, banner.Success ? banner.Groups[1].Value : null, applets,
            info.Interpreter != null || info.Needed.Count > 0);
    }

    /// <summary>
    /// The applet names of a busybox binary: busybox's applet_tables generator writes them sorted, NUL-separated,
    /// starting with "[" and "[[" when the test applet is built, else with the first name in order.
    /// </summary>
    internal static IReadOnlyList<string> Applets(ReadOnlySpan<byte> binary)
    {
        IReadOnlyList<string> best = [];
        // The real table is the longest sorted run of applet-like names at one of these starts.
        foreach (var start in new[] { "[\0[[\0"u8.ToArray(), "\0[\0"u8.ToArray(), "\0ash\0"u8.ToArray(), "\0acpid\0"u8.ToArray() })
        {
            var skip = start[0] == 0 ? 1 : 0;
            for (var at = binary.IndexOf(start); at >= 0;)
            {
                var names = ReadRun(binary[(at + skip)..]);
                if (names.Count > best.Count) best = names;
                var next = binary[(at + 1)..].IndexOf(start);
                at = next < 0 ? -1 : at + 1 + next;
            }
            if (best.Count >= 5) break;
        }
        return best;
    }

    private static List<string> ReadRun(ReadOnlySpan<byte> span)
    {
        var names = new List<string>();
        while (true)
        {
            var end = span.IndexOf((byte)0);
            if (end <= 0) break;
            var name = Encoding.ASCII.GetString(span[..end]);
            if (!AppletName().IsMatch(name) || (names.Count > 0 && string.CompareOrdinal(names[^1], name) >= 0)) break;
            names.Add(name);
            span = span[(end + 1)..];
        }
        return names;
    }
}
