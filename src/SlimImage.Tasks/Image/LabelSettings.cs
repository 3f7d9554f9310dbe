using SlimImage.Diagnostics;

namespace SlimImage.Image;

/// <summary>
/// The generated labels a project asks for, read once from its properties by the SDK's own names and rules
/// (Microsoft.NET.Build.Containers.targets, <c>ComputeContainerConfig</c>): each value is the <c>Container*</c>
/// property, else the project property the SDK falls back to; each label has a switch
/// <c>ContainerGenerateLabelsImage*</c>, on unless set otherwise, under the master switch <c>ContainerGenerateLabels</c>.
/// </summary>
/// <remarks>
/// What the SDK defaults for every project counts as set, as in the SDK: <c>Authors</c> is <c>$(AssemblyName)</c>
/// (Microsoft.NET.DefaultAssemblyInfo.targets) and <c>PackageVersion</c> is <c>$(Version)</c>, so every image has an
/// authors and a version label. NuGet's "Package Description" default goes to <c>PackageDescription</c>, which neither
/// the SDK nor SlimImage reads: no description label unless the project has a <c>Description</c>.
/// </remarks>
public sealed record LabelSettings
{
    /// <summary>ContainerGenerateLabels: false writes no generated label (user labels still go in).</summary>
    public bool Generate { get; init; } = true;
    /// <summary>The labels whose switch is off, by the switch's suffix (<c>Description</c> for ContainerGenerateLabelsImageDescription).</summary>
    public IReadOnlySet<string> Off { get; init; } = new HashSet<string>(StringComparer.Ordinal);
    public string? Description { get; init; }
    public string? Authors { get; init; }
    public string? Url { get; init; }
    public string? Documentation { get; init; }
    public string? Version { get; init; }
    public string? Vendor { get; init; }
    public string? Licenses { get; init; }
    public string? Title { get; init; }
    /// <summary>The repository URL (.git trimmed), only when the project opts in with PublishRepositoryUrl=true.</summary>
    public string? Source { get; init; }
    /// <summary>SourceRevisionId, only when the project opts in with PublishRepositoryUrl=true.</summary>
    public string? Revision { get; init; }
    /// <summary>net.dot.runtime.majorminor (the target framework's version), with ContainerGenerateLabelsDotnetToolset=true.</summary>
    public string? RuntimeMajorMinor { get; init; }
    /// <summary>net.dot.sdk.version, with ContainerGenerateLabelsDotnetToolset=true.</summary>
    public string? SdkVersion { get; init; }

    /// <summary>The switches, by suffix after <c>ContainerGenerateLabelsImage</c>.</summary>
    public static readonly IReadOnlyList<string> Switches =
        ["Created", "Description", "Authors", "Url", "Documentation", "Source", "Version", "Revision", "Vendor", "Licenses",
         "Title", "BaseDigest", "BaseName"];

    /// <summary>
    /// The properties this reads, by the SDK's names: the switches, the Container* values and their fallbacks. The
    /// MSBuild targets pass each of them as an item (Include = name, Value).
    /// </summary>
    public static readonly IReadOnlyList<string> PropertyNames =
    [
        "ContainerGenerateLabels", .. Switches.Select(s => "ContainerGenerateLabelsImage" + s), "ContainerGenerateLabelsDotnetToolset",
        "ContainerDescription", "Description", "ContainerAuthors", "Authors", "ContainerInformationUrl", "ContainerDocumentationUrl",
        "PackageProjectUrl", "ContainerVersion", "PackageVersion", "ContainerVendor", "ContainerLicenseExpression",
        "PackageLicenseExpression", "ContainerTitle", "Title", "AssemblyName", "PublishRepositoryUrl", "RepositoryType",
        "PrivateRepositoryUrl", "SourceRevisionId", "_TargetFrameworkVersionWithoutV", "NETCoreSdkVersion",
    ];

    /// <summary>
    /// Applies the SDK's fallbacks to the project's properties (absent or empty = unset). A switch that is neither
    /// true nor false is SLIM5200: the SDK would silently read it as false.
    /// </summary>
    public static LabelSettings FromProperties(IReadOnlyDictionary<string, string> properties)
    {
        string? Get(string name) => properties.TryGetValue(name, out var v) && v.Length > 0 ? v : null;
        string? First(params string[] names) => names.Select(Get).FirstOrDefault(v => v != null);
        bool Switch(string name, bool unset)
        {
            var value = Get(name)?.Trim();
            if (value == null) return unset;
            if (value.Equals("true", StringComparison.OrdinalIgnoreCase)) return true;
            if (value.Equals("false", StringComparison.OrdinalIgnoreCase)) return false;
            throw new SlimException("SLIM5200", name, value);
        }

        var off = Switches.Where(s => !Switch("ContainerGenerateLabelsImage" + s, unset: true)).ToHashSet(StringComparer.Ordinal);
        // SourceLink sets PrivateRepositoryUrl and SourceRevisionId in every git checkout; the SDK lets them into the
        // image only when the project says the repository may be published (a private URL must not reach a public registry).
        var published = string.Equals(Get("PublishRepositoryUrl")?.Trim(), "true", StringComparison.OrdinalIgnoreCase);
        var repository = published ? Get("PrivateRepositoryUrl") : null;
        if (repository != null && string.Equals(Get("RepositoryType"), "git", StringComparison.OrdinalIgnoreCase)
            && repository.EndsWith(".git", StringComparison.Ordinal))
            repository = repository[..^4];
        var toolset = Switch("ContainerGenerateLabelsDotnetToolset", unset: false);
        return new LabelSettings
        {
            Generate = Switch("ContainerGenerateLabels", unset: true),
            Off = off,
            Description = First("ContainerDescription", "Description"),
            Authors = First("ContainerAuthors", "Authors"),
            Url = First("ContainerInformationUrl", "PackageProjectUrl"),
            Documentation = First("ContainerDocumentationUrl", "PackageProjectUrl"),
            Version = First("ContainerVersion", "PackageVersion"),
            Vendor = Get("ContainerVendor"),
            Licenses = First("ContainerLicenseExpression", "PackageLicenseExpression"),
            // SlimImage's one addition to the SDK's rules: a title even without Title, as SlimImage always wrote.
            Title = First("ContainerTitle", "Title", "AssemblyName"),
            Source = repository,
            Revision = published ? Get("SourceRevisionId") : null,
            RuntimeMajorMinor = toolset ? Get("_TargetFrameworkVersionWithoutV") : null,
            SdkVersion = toolset ? Get("NETCoreSdkVersion") : null,
        };
    }
}
