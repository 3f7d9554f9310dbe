using SlimImage.Diagnostics;
using SlimImage.Oci;

namespace SlimImage.Platforms;

/// <summary>
/// Checks <c>SlimImageRuntimeIdentifiers</c> before any publish or image work, each mistake a SLIM53xx error: a RID
/// that is not Linux or of an unknown architecture, the same platform twice, a sysroot that lacks the C library (and,
/// unless NativeAOT, the C++ runtime) of a platform's architecture, a musl RID whose sysroot has no musl loader.
/// </summary>
public static class PlatformCheck
{
    public static IReadOnlyList<PlatformTarget> Check(PlatformsRequest request)
    {
        var rids = request.RuntimeIdentifiers.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (rids.Length == 0) throw new SlimException("SLIM5300", request.RuntimeIdentifiers);
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        var targets = new List<PlatformTarget>();
        foreach (var rid in rids)
        {
            var platform = PlatformOf(rid, request.RuntimeIdentifiers);
            // linux-x64 and linux-musl-x64 are one platform (linux/amd64) of an index: a runtime would pick either.
            var name = PlatformLibraries.Name(platform);
            if (seen.TryGetValue(name, out var first))
                throw new SlimException("SLIM5302", request.RuntimeIdentifiers, first, rid, name);
            seen[name] = rid;
            var sysroot = request.Sysroots.FirstOrDefault(s => string.Equals(s.Key, rid, StringComparison.OrdinalIgnoreCase)).Value
                          ?? request.DefaultSysroot;
            if (!Directory.Exists(sysroot)) throw new SlimException("SLIM5305", sysroot, rid);
            PlatformLibraries.Require(rid, platform, sysroot, request.NativeAot);
            targets.Add(new PlatformTarget(rid, sysroot));
        }
        return targets;
    }

    private static Platform PlatformOf(string rid, string list)
    {
        if (!rid.StartsWith("linux-", StringComparison.OrdinalIgnoreCase) || rid.Length == "linux-".Length)
            throw new SlimException("SLIM5301", rid, list, "it is not a Linux runtime identifier");
        // A RID names folders (obj/slimimage/<rid>/, the SDK's bin/…/<rid>/): nothing but the RID graph's characters.
        if (!rid.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_'))
            throw new SlimException("SLIM5301", rid, list, "it has characters no runtime identifier has");
        try
        {
            return Platform.FromRuntimeIdentifier(rid);
        }
        catch (SlimException)
        {
            throw new SlimException("SLIM5301", rid, list, "its architecture is not one of x64, arm64, arm and x86");
        }
    }
}
