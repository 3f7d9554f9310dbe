using SlimImage.Diagnostics;
using SlimImage.Elf;
using SlimImage.FileSystem;
using SlimImage.Oci;

namespace SlimImage.Platforms;

/// <summary>
/// Whether a sysroot holds the libraries every image of an architecture needs, looked for as ld.so would (the
/// multiarch folders first, then the default ones) and only counted when the ELF machine is the platform's: an x64
/// machine's /usr/lib holds no arm64 libc. Debian's packages are named in the error so the fix is one apt-get.
/// </summary>
public static class PlatformLibraries
{
    /// <summary>"linux/arm64/v8", as an index's platform reads.</summary>
    public static string Name(Platform platform) => platform.ToString();

    /// <summary>Throws SLIM5303 (glibc libraries missing) or SLIM5304 (no musl loader for a musl RID).</summary>
    public static void Require(string rid, Platform platform, string sysroot, bool nativeAot)
    {
        var target = ElfTarget.For(platform);
        if (rid.Contains("-musl-", StringComparison.OrdinalIgnoreCase))
        {
            // musl's loader is also its libc (/lib/ld-musl-<arch>.so.1, libc.musl-<arch>.so.1 links to it).
            var loader = $"/lib/ld-musl-{MuslArch(target)}.so.1";
            if (!Has(sysroot, [loader], target))
                throw new SlimException("SLIM5304", rid, sysroot, loader);
            return;
        }
        if (rid.Contains("-bionic-", StringComparison.OrdinalIgnoreCase)) return; // Android's libc: no sysroot convention to check
        var debian = DebianArch(target);
        var missing = new List<(string Soname, string Package)>();
        foreach (var (soname, package) in Needed(nativeAot))
        {
            if (!Has(sysroot, SearchDirs(target).Select(d => d + "/" + soname), target))
                missing.Add((soname, package + ":" + debian));
        }
        if (missing.Count > 0)
            throw new SlimException("SLIM5303", sysroot, rid, target, string.Join(", ", missing.Select(m => m.Soname)),
                debian, string.Join(" ", missing.Select(m => m.Package)));
    }

    /// <summary>What the loader maps for every app: libc (and libm, same package); a self-contained runtime adds the
    /// C++ runtime and the unwinder.</summary>
    private static IEnumerable<(string Soname, string Package)> Needed(bool nativeAot)
    {
        yield return ("libc.so.6", "libc6");
        if (nativeAot) yield break;
        yield return ("libstdc++.so.6", "libstdc++6");
        yield return ("libgcc_s.so.1", "libgcc-s1");
    }

    private static bool Has(string sysroot, IEnumerable<string> candidates, ElfTarget target)
    {
        foreach (var path in candidates)
        {
            SysrootResolution? found;
            try { found = SysrootPath.Resolve(sysroot, path); }
            catch (SlimException) { continue; } // a link loop: ld.so skips it too
            if (found == null || found.IsDirectory) continue;
            var elf = ElfReader.Read(found.HostPath);
            if (elf.Info != null && target.Matches(elf.Info)) return true;
        }
        return false;
    }

    /// <summary>glibc's default search folders on Debian (multiarch first), then the lib64 and plain ones of other distributions.</summary>
    private static IEnumerable<string> SearchDirs(ElfTarget target)
    {
        if (target.MultiarchTriplet is { } triplet)
        {
            yield return "/lib/" + triplet;
            yield return "/usr/lib/" + triplet;
        }
        if (target.Is64Bit)
        {
            yield return "/lib64";
            yield return "/usr/lib64";
        }
        yield return "/lib";
        yield return "/usr/lib";
    }

    /// <summary>dpkg's architecture name, as in <c>libc6:arm64</c>.</summary>
    private static string DebianArch(ElfTarget target) => target.Machine switch
    {
        ElfTarget.EM_X86_64 => "amd64",
        ElfTarget.EM_AARCH64 => "arm64",
        ElfTarget.EM_ARM => "armhf",
        _ => "i386",
    };

    private static string MuslArch(ElfTarget target) => target.Machine switch
    {
        ElfTarget.EM_X86_64 => "x86_64",
        ElfTarget.EM_AARCH64 => "aarch64",
        ElfTarget.EM_ARM => "armhf",
        _ => "i386",
    };
}
