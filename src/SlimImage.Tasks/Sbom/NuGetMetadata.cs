using System.Text.RegularExpressions;
using System.Xml;

namespace SlimImage.Sbom;

/// <summary>What a package's <c>.nuspec</c> says about its licence and source.</summary>
public sealed record NuspecInfo(string? License, string? ProjectUrl, string? RepositoryUrl, string? Commit);

/// <summary>
/// Reads each NuGet package's <c>.nuspec</c> from the package folders (the global packages folder keeps it at
/// <c>&lt;id&gt;/&lt;version&gt;/&lt;id&gt;.nuspec</c>, all lower case). The id and version come from project items, so
/// they are checked before they name a path; the file is read bounded, as XML without DTD or external entities.
/// </summary>
public static partial class NuGetMetadata
{
    private const int MaxNuspec = 1 << 20;

    // NuGet's own rule for ids (PackageIdValidator), and the characters of a normalized version.
    [GeneratedRegex(@"^\w+([.-]\w+)*$")]
    private static partial Regex Id();

    [GeneratedRegex(@"^[0-9A-Za-z.+-]+$")]
    private static partial Regex Version();

    /// <summary>True when <paramref name="id"/> and <paramref name="version"/> may name a package folder.</summary>
    public static bool IsSafe(string id, string version) =>
        id.Length <= 100 && version.Length <= 64 && Id().IsMatch(id) && Version().IsMatch(version) && !version.Contains("..", StringComparison.Ordinal);

    /// <summary>The nuspec of <paramref name="id"/> <paramref name="version"/> in the first folder that has it; null when none does.</summary>
    public static NuspecInfo? Find(string id, string version, IReadOnlyList<string> folders, List<string> problems)
    {
        if (!IsSafe(id, version)) return null;
        foreach (var folder in folders)
        {
            var path = Path.Combine(folder, id.ToLowerInvariant(), version.ToLowerInvariant(), id.ToLowerInvariant() + ".nuspec");
            if (!File.Exists(path)) continue;
            var text = SmallFile.Read(path, "the nuspec of " + id, MaxNuspec, out var problem);
            if (text == null)
            {
                problems.Add($"{path}: {problem}");
                return null;
            }
            try { return Parse(text); }
            catch (XmlException e)
            {
                problems.Add($"{path}: {e.Message}");
                return null;
            }
        }
        return null;
    }

    /// <summary>The licence expression (<c>&lt;license type="expression"&gt;</c>), project URL and repository of a nuspec.</summary>
    public static NuspecInfo Parse(string xml)
    {
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, MaxCharactersInDocument = MaxNuspec,
            IgnoreComments = true, IgnoreWhitespace = true,
        };
        string? license = null, projectUrl = null, repository = null, commit = null;
        using var reader = XmlReader.Create(new StringReader(xml), settings);
        while (reader.Read())
        {
            if (reader.NodeType != XmlNodeType.Element || reader.Depth != 2) continue;
            switch (reader.LocalName)
            {
                case "license" when reader.GetAttribute("type") == "expression":
                    license = reader.ReadElementContentAsString().Trim();
                    break;
                case "projectUrl":
                    projectUrl = reader.ReadElementContentAsString().Trim();
                    break;
                case "repository":
                    repository = reader.GetAttribute("url");
                    commit = reader.GetAttribute("commit");
                    break;
            }
        }
        return new NuspecInfo(LicenseExpression.IsValid(license) ? license : null, Url(projectUrl), Url(repository),
            commit != null && Regex.IsMatch(commit, "^[0-9a-f]{7,64}$") ? commit : null);
    }

    private static string? Url(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http" ? uri.AbsoluteUri : null;
}
