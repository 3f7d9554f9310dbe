using SlimImage.FileSystem;

namespace SlimImage.Sbom;

/// <summary>A Debian package's licence: an SPDX expression and the <c>LicenseRef-</c>s it names, with their text.</summary>
public sealed record DebianLicense(string Expression, IReadOnlyList<ExtractedLicense> Refs);

/// <summary>
/// Reads <c>/usr/share/doc/&lt;package&gt;/copyright</c> of the sysroot and, when it is machine-readable (DEP-5,
/// copyright-format 1.0), the licences of its <c>Files</c> paragraphs. A file in another format says nothing a tool
/// can trust: its package gets NOASSERTION.
/// </summary>
public static class DebianCopyright
{
    private const int MaxCopyright = 2 << 20;
    private const int MaxLicenseText = 8 * 1024;

    /// <summary>The licence of <paramref name="package"/>; null when its file is not DEP-5 or is missing (<paramref name="missing"/> true).</summary>
    public static DebianLicense? Read(string sysroot, string package, out bool missing, out string? problem)
    {
        missing = false;
        var inSysroot = "/usr/share/doc/" + package + "/copyright";
        // The doc folder of a package built from the same source is often a link to another's: resolved inside the sysroot.
        var resolved = SysrootPath.Resolve(sysroot, inSysroot);
        if (resolved == null || resolved.IsDirectory)
        {
            missing = true;
            problem = null;
            return null;
        }
        var text = SmallFile.Read(resolved.HostPath, "the copyright file of " + package, MaxCopyright, out problem);
        if (text == null)
        {
            missing = problem == "missing";
            return null;
        }
        return Parse(text, inSysroot);
    }

    /// <summary>The licences of a DEP-5 text, joined with AND; null when it is not DEP-5 or names none.</summary>
    public static DebianLicense? Parse(string text, string where)
    {
        var paragraphs = Paragraphs(text);
        if (paragraphs.Count == 0 || !paragraphs[0].TryGetValue("Format", out var format)
            || !format.Contains("copyright-format", StringComparison.OrdinalIgnoreCase))
            return null;
        var refs = new Dictionary<string, string>(StringComparer.Ordinal);
        var expressions = new List<string>();
        var texts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var p in paragraphs)
        {
            if (!p.TryGetValue("License", out var license)) continue;
            var lines = license.Split('\n');
            // A stand-alone License paragraph (no Files) holds the text of a licence named elsewhere.
            if (!p.ContainsKey("Files") && p != paragraphs[0])
            {
                texts.TryAdd(lines[0].Trim(), string.Join('\n', lines.Skip(1)).Trim());
                continue;
            }
            if (LicenseExpression.FromDebianValue(lines[0], refs) is { } e) expressions.Add(e);
        }
        if (LicenseExpression.All(expressions) is not { } all) return null;
        var extracted = refs.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r =>
        {
            var body = texts.GetValueOrDefault(r.Value);
            body = string.IsNullOrWhiteSpace(body) ? $"The licence '{r.Value}' of {where}." : body[..Math.Min(body.Length, MaxLicenseText)];
            return new ExtractedLicense(r.Key, r.Value, body);
        }).ToList();
        return new DebianLicense(all, extracted);
    }

    /// <summary>RFC 822-style paragraphs: field name → value, continuation lines joined with '\n' (" ." is an empty line).</summary>
    private static List<Dictionary<string, string>> Paragraphs(string text)
    {
        var result = new List<Dictionary<string, string>>();
        Dictionary<string, string>? current = null;
        string? field = null;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Trim().Length == 0) { current = null; field = null; continue; }
            if (line[0] is ' ' or '\t')
            {
                if (current != null && field != null)
                    current[field] += "\n" + (line.Trim() == "." ? "" : line.Trim());
                continue;
            }
            var colon = line.IndexOf(':');
            if (colon <= 0) continue;
            if (current == null) result.Add(current = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase));
            field = line[..colon].Trim();
            current[field] = line[(colon + 1)..].Trim();
        }
        return result;
    }
}
