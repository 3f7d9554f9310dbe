using System.Runtime.InteropServices;
using SlimImage.Oci;

namespace SlimImage.Elf;

/// <summary>
/// The kind of object a loader accepts: ld.so skips a candidate whose class, data encoding or machine differ from its
/// own (<c>elf_machine_matches_host</c> and the <c>e_ident</c> checks in glibc's <c>open_verify</c>) and keeps searching.
/// </summary>
public readonly record struct ElfTarget(ushort Machine, bool Is64Bit, bool IsLittleEndian = true)
{
    public const ushort EM_386 = 3;
    public const ushort EM_ARM = 40;
    public const ushort EM_X86_64 = 62;
    public const ushort EM_AARCH64 = 183;

    public bool Matches(ElfInfo info) =>
        info.Machine == Machine && info.Is64Bit == Is64Bit && info.IsLittleEndian == IsLittleEndian;

    /// <summary>
    /// The Debian multiarch triplet (the folder under /lib and /usr/lib), or null for a machine SlimImage does not
    /// know. ARM assumes the hard-float ABI, which is what every current Debian/Ubuntu armhf system uses.
    /// </summary>
    public string? MultiarchTriplet => (Machine, Is64Bit) switch
    {
        (EM_X86_64, true) => "x86_64-linux-gnu",
        (EM_AARCH64, true) => "aarch64-linux-gnu",
        (EM_386, false) => "i386-linux-gnu",
        (EM_ARM, false) => "arm-linux-gnueabihf",
        _ => null,
    };

    /// <summary>The kernel's <c>AT_PLATFORM</c> string, which glibc substitutes for <c>$PLATFORM</c>.</summary>
    public string? Platform => (Machine, Is64Bit) switch
    {
        (EM_X86_64, true) => "x86_64",
        (EM_AARCH64, true) => "aarch64",
        (EM_386, false) => "i686",
        (EM_ARM, false) => "v7l",
        _ => null,
    };

    /// <summary>For messages: "x86-64 (64-bit)", "i386 (32-bit)", "machine 8 (32-bit, big-endian)".</summary>
    public override string ToString()
    {
        var name = Machine switch
        {
            EM_X86_64 => "x86-64",
            EM_AARCH64 => "AArch64",
            EM_386 => "i386",
            EM_ARM => "ARM",
            _ => "machine " + Machine,
        };
        return $"{name} ({(Is64Bit ? "64" : "32")}-bit{(IsLittleEndian ? "" : ", big-endian")})";
    }

    /// <summary>The ELF target of an image platform's libraries (<c>amd64</c>, <c>arm64</c>, <c>arm</c>, <c>386</c>).</summary>
    public static ElfTarget For(Oci.Platform platform) => platform.Architecture switch
    {
        "amd64" => new(EM_X86_64, true),
        "arm64" => new(EM_AARCH64, true),
        "arm" => new(EM_ARM, false),
        "386" => new(EM_386, false),
        _ => throw new ArgumentException($"No ELF target is known for {platform}.", nameof(platform)),
    };

    /// <summary>The target of the process running SlimImage, used only when no input says otherwise.</summary>
    public static ElfTarget Host => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.Arm64 => new(EM_AARCH64, true),
        Architecture.X86 => new(EM_386, false),
        Architecture.Arm => new(EM_ARM, false),
        _ => new(EM_X86_64, true),
    };
}
