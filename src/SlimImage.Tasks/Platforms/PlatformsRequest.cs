namespace SlimImage.Platforms;

/// <summary>
/// What the platform check needs: <c>SlimImageRuntimeIdentifiers</c> as written, the sysroot of every runtime
/// identifier (the <c>SlimImageSysroot</c> property, or an item <c>SlimImageSysroot</c> with <c>Include</c> = the RID and
/// <c>Path</c>), and whether the app is NativeAOT (which needs no C++ runtime).
/// </summary>
/// <param name="RuntimeIdentifiers">The list as written, for messages.</param>
/// <param name="DefaultSysroot">SlimImageSysroot (full path), for every RID without a sysroot of its own.</param>
/// <param name="Sysroots">RID → full path of its own sysroot (compared case-insensitively).</param>
/// <param name="NativeAot">PublishAot: the binary links libc only, no libstdc++ or libgcc_s.</param>
public sealed record PlatformsRequest(string RuntimeIdentifiers, string DefaultSysroot,
    IReadOnlyDictionary<string, string> Sysroots, bool NativeAot);

/// <summary>One platform of a multi-platform image: its runtime identifier and the sysroot its libraries come from.</summary>
public sealed record PlatformTarget(string RuntimeIdentifier, string Sysroot);
