using SlimImage.Elf;
using SlimImage.FileSystem;

namespace SlimImage.Closure;

/// <summary>
/// The directories glibc's ld.so searches when neither RPATH, RUNPATH nor ld.so.cache found a library, and the
/// dynamic string tokens it expands in RPATH/RUNPATH. The image has no ld.so.cache, so these are the only directories
/// the loader searches there without help.
/// </summary>
public static class LoaderDirs
{
    /// <summary>
    /// The default directories, in search order: /lib/&lt;multiarch&gt;, /usr/lib/&lt;multiarch&gt; (Debian and Ubuntu
    /// build glibc with these as system dirs), /lib64 and /usr/lib64 for 64-bit targets (Fedora, SUSE and the x86-64
    /// psABI's interpreter path), then /lib and /usr/lib.
    /// </summary>
    public static IReadOnlyList<string> Default(ElfTarget target)
    {
        var dirs = new List<string>();
        if (target.MultiarchTriplet is { } triplet)
        {
            dirs.Add("/lib/" + triplet);
            dirs.Add("/usr/lib/" + triplet);
        }
        if (target.Is64Bit)
        {
            dirs.Add("/lib64");
            dirs.Add("/usr/lib64");
        }
        dirs.Add("/lib");
        dirs.Add("/usr/lib");
        return dirs;
    }

    public static bool IsDefault(string dir, ElfTarget target) =>
        Default(target).Contains(SysrootPath.Normalize(dir), StringComparer.Ordinal);

    /// <summary>
    /// Expands the dynamic string tokens of one RPATH/RUNPATH element, as glibc's <c>_dl_dst_substitute</c> does.
    /// <c>$ORIGIN</c> is the directory the object was opened from (glibc does not resolve links for libraries).
    /// <c>$LIB</c> is glibc's configured slib dir name, which differs by distribution: here "lib/&lt;multiarch&gt;" when
    /// the sysroot has that folder (Debian, Ubuntu), else "lib64" for 64-bit targets, else "lib".
    /// <c>$PLATFORM</c> is the kernel's AT_PLATFORM string. Any other '$' is kept literally, as glibc does.
    /// </summary>
    public static string Expand(string element, string origin, ElfTarget target, string sysroot)
    {
        if (!element.Contains('$')) return element;
        return element
            .Replace("${ORIGIN}", origin, StringComparison.Ordinal)
            .Replace("$ORIGIN", origin, StringComparison.Ordinal)
            .Replace("${LIB}", Lib(target, sysroot), StringComparison.Ordinal)
            .Replace("$LIB", Lib(target, sysroot), StringComparison.Ordinal)
            .Replace("${PLATFORM}", target.Platform ?? "$PLATFORM", StringComparison.Ordinal)
            .Replace("$PLATFORM", target.Platform ?? "$PLATFORM", StringComparison.Ordinal);
    }

    private static string Lib(ElfTarget target, string sysroot)
    {
        if (target.MultiarchTriplet is { } triplet && Directory.Exists(SysrootPath.ToHost(sysroot, "/lib/" + triplet)))
            return "lib/" + triplet;
        return target.Is64Bit ? "lib64" : "lib";
    }
}
