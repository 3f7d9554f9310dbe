using SlimImage.Diagnostics;
using SlimImage.Elf;

namespace SlimImage.Pipeline;

/// <summary>The image platform of a runtime identifier, and the ELF machine its libraries must have.</summary>
public sealed record Platform(string Architecture, string? Variant, ElfTarget Elf)
{
    public static Platform FromRuntimeIdentifier(string rid)
    {
        var arch = rid[(rid.LastIndexOf('-') + 1)..].ToLowerInvariant();
        return arch switch
        {
            "x64" => new("amd64", null, new ElfTarget(ElfTarget.EM_X86_64, true)),
            "arm64" => new("arm64", "v8", new ElfTarget(ElfTarget.EM_AARCH64, true)),
            "arm" => new("arm", "v7", new ElfTarget(ElfTarget.EM_ARM, false)),
            "x86" => new("386", null, new ElfTarget(ElfTarget.EM_386, false)),
            _ => throw new SlimException("SLIM1001", rid),
        };
    }
}
