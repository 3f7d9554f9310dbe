using SlimImage.Diagnostics;

namespace SlimImage.Pipeline;

/// <summary>
/// <c>&lt;SlimImageNativeLibrary Include="libfoo.so" Keep="true|false" /&gt;</c>: the user's word on one native file of
/// the publish output (or of a single-file bundle), named by its file name or its path below the publish folder.
/// Keep=true keeps it even when it cannot load (a missing dependency is then SLIM2001); Keep=false leaves it out.
/// </summary>
public sealed record NativeLibraryChoice(string Name, bool Keep)
{
    public bool Matches(string relativePath) =>
        relativePath == Name || (!Name.Contains('/') && Path.GetFileName(relativePath) == Name);

    /// <summary>Parses one item; SLIM1042 names the item and the value when either is not usable.</summary>
    public static NativeLibraryChoice Parse(string include, string? keep)
    {
        var name = include.Trim().Replace('\\', '/');
        if (name.StartsWith("./", StringComparison.Ordinal)) name = name[2..];
        if (name.Length == 0 || name.StartsWith('/') || name.Split('/').Any(p => p is "" or "." or ".."))
            throw new SlimException("SLIM1042", include, "Include", "a file name (libfoo.so) or a path below the publish folder (runtimes/linux-x64/native/libfoo.so)");
        return (keep ?? "").Trim().ToLowerInvariant() switch
        {
            "true" => new NativeLibraryChoice(name, true),
            "false" => new NativeLibraryChoice(name, false),
            _ => throw new SlimException("SLIM1042", include, "Keep", "Keep=\"true\" or Keep=\"false\""),
        };
    }

    /// <summary>The choice for a file, the last matching item winning (as a later MSBuild item overrides).</summary>
    public static bool? KeepOf(IReadOnlyList<NativeLibraryChoice> choices, string relativePath) =>
        choices.LastOrDefault(c => c.Matches(relativePath))?.Keep;
}
