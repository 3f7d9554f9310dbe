using SlimImage.Rootfs;
using SlimImage.Entries;

namespace SlimImage.Report;

/// <summary>
/// Which origin a file of SlimImage's layers belongs to in the report: the app, each NuGet package, the .NET (or
/// ASP.NET Core) runtime, each Debian package of the build machine, data the runtime reads (ICU, zoneinfo, the CA
/// bundle), host files of no package, and the files SlimImage writes itself.
/// </summary>
internal static class OriginNames
{
    private const string ZoneInfo = "/usr/share/zoneinfo/";
    private const string CaBundle = "/etc/ssl/certs/ca-certificates.crt";

    public static (string Name, OriginKind Kind) Of(RootfsEntry entry, IReadOnlyDictionary<string, string> packages)
    {
        switch (entry.Origin)
        {
            case EntryOrigin.App:
                return ("app", OriginKind.App);
            case EntryOrigin.Runtime:
                var pack = entry.Asset?.PackageId ?? "";
                var name = pack.StartsWith("Microsoft.AspNetCore.", StringComparison.OrdinalIgnoreCase) ? "ASP.NET Core runtime" : ".NET runtime";
                return (Versioned(name, entry.Asset?.PackageVersion), OriginKind.Runtime);
            case EntryOrigin.Package:
                return entry.Asset?.PackageId is { } id ? (Versioned("NuGet " + id, entry.Asset.PackageVersion), OriginKind.Package) : ("NuGet packages", OriginKind.Package);
        }
        packages.TryGetValue(entry.Path, out var package);
        var file = entry.Path[(entry.Path.LastIndexOf('/') + 1)..];
        if (entry.Path.StartsWith(ZoneInfo, StringComparison.Ordinal))
            return (package == null ? "time zone data" : $"time zone data ({package})", OriginKind.Data);
        if (entry.Path == CaBundle)
            return ("CA certificates", OriginKind.Data);
        if (file.StartsWith("libicu", StringComparison.Ordinal))
            return (package == null ? "ICU" : $"ICU ({package})", OriginKind.Data);
        if (entry.Content != null)
            return ("SlimImage: /etc and scanner files", OriginKind.Generated);
        if (package != null)
            return ("Debian package " + package, OriginKind.OsPackage);
        return ("host files of no package", OriginKind.HostFile);
    }

    private static string Versioned(string name, string? version) => string.IsNullOrEmpty(version) ? name : name + " " + version;
}
