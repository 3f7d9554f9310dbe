using System.Text.RegularExpressions;

namespace SlimImage.Sbom;

/// <summary>
/// SPDX licence expressions (SPDX 2.3 annex D) as far as an SBOM writer must know them: a check that an expression
/// from a package is well-formed before it is copied (else NOASSERTION), and the Debian short names of DEP-5
/// copyright files mapped to SPDX identifiers.
/// </summary>
public static partial class LicenseExpression
{
    [GeneratedRegex(@"^(LicenseRef-)?[A-Za-z0-9][A-Za-z0-9.-]*\+?$")]
    private static partial Regex Identifier();

    /// <summary>True when <paramref name="expression"/> is identifiers joined by AND, OR, WITH and parentheses.</summary>
    public static bool IsValid(string? expression)
    {
        if (string.IsNullOrWhiteSpace(expression) || expression.Length > 1000) return false;
        var tokens = expression.Replace("(", " ( ").Replace(")", " ) ").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var depth = 0;
        var wantOperand = true;
        foreach (var t in tokens)
        {
            if (t == "(") { if (!wantOperand) return false; depth++; continue; }
            if (t == ")") { if (wantOperand || --depth < 0) return false; continue; }
            if (t is "AND" or "OR" or "WITH") { if (wantOperand) return false; wantOperand = true; continue; }
            if (!wantOperand || !Identifier().IsMatch(t)) return false;
            wantOperand = false;
        }
        return depth == 0 && !wantOperand;
    }

    // Debian's short names (copyright-format 1.0, "License specification") that differ from SPDX's.
    private static readonly Dictionary<string, string> DebianNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Expat"] = "MIT", ["MIT"] = "MIT", ["ISC"] = "ISC", ["Zlib"] = "Zlib", ["Apache-2.0"] = "Apache-2.0",
        ["Apache-2"] = "Apache-2.0", ["Artistic"] = "Artistic-1.0", ["Artistic-1.0"] = "Artistic-1.0", ["Artistic-2.0"] = "Artistic-2.0",
        ["BSD-2-clause"] = "BSD-2-Clause", ["BSD-3-clause"] = "BSD-3-Clause", ["BSD-4-clause"] = "BSD-4-Clause",
        ["MPL-1.1"] = "MPL-1.1", ["MPL-2.0"] = "MPL-2.0", ["CC0-1.0"] = "CC0-1.0", ["CC0"] = "CC0-1.0", ["X11"] = "X11",
        ["OpenSSL"] = "OpenSSL", ["SSLeay"] = "SSLeay-standalone", ["Unicode-DFS-2016"] = "Unicode-DFS-2016", ["ICU"] = "ICU",
        ["curl"] = "curl", ["PSF-2"] = "PSF-2.0", ["BSL-1.0"] = "BSL-1.0", ["Unicode-3.0"] = "Unicode-3.0", ["FSFAP"] = "FSFAP",
        ["FSFUL"] = "FSFUL", ["FSFULLR"] = "FSFULLR", ["0BSD"] = "0BSD", ["WTFPL"] = "WTFPL", ["Beerware"] = "Beerware",
    };

    [GeneratedRegex(@"^(A?GPL|LGPL|GFDL)-([0-9](\.[0-9])?)(\+)?$", RegexOptions.IgnoreCase)]
    private static partial Regex FsfName();

    /// <summary>
    /// The SPDX identifier of one Debian licence short name (<c>GPL-2+</c> → <c>GPL-2.0-or-later</c>, <c>Expat</c> →
    /// <c>MIT</c>), or a <c>LicenseRef-</c> of it when SPDX has none (<c>public-domain</c>); null for an empty name.
    /// </summary>
    public static string? FromDebian(string name, out bool isRef)
    {
        isRef = false;
        name = name.Trim();
        if (name.Length == 0) return null;
        if (DebianNames.TryGetValue(name, out var known)) return known;
        if (FsfName().Match(name) is { Success: true } m)
        {
            var version = m.Groups[2].Value.Contains('.') ? m.Groups[2].Value : m.Groups[2].Value + ".0";
            return $"{m.Groups[1].Value.ToUpperInvariant()}-{version}-{(m.Groups[4].Success ? "or-later" : "only")}";
        }
        isRef = true;
        var id = new string(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '-').ToArray()).Trim('-');
        return id.Length == 0 ? null : "LicenseRef-" + id;
    }

    /// <summary>
    /// One DEP-5 <c>License:</c> value (its first line: <c>GPL-2+ or Artistic</c>, <c>LGPL-2.1+ and GPL-2+</c>,
    /// <c>BSD-3-clause, with …</c>) as an SPDX expression; <paramref name="refs"/> receives the Debian names that became
    /// <c>LicenseRef-</c>s.
    /// </summary>
    public static string? FromDebianValue(string value, Dictionary<string, string> refs)
    {
        var head = value.Split(',')[0].Trim();
        var ors = new List<string>();
        foreach (var alternative in Regex.Split(head, @"\s+or\s+", RegexOptions.IgnoreCase, TimeSpan.FromSeconds(1)))
        {
            var ands = new List<string>();
            foreach (var part in Regex.Split(alternative, @"\s+and\s+", RegexOptions.IgnoreCase, TimeSpan.FromSeconds(1)))
            {
                var name = part.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
                if (FromDebian(name, out var isRef) is not { } id) continue;
                if (isRef) refs.TryAdd(id, name);
                ands.Add(id);
            }
            if (ands.Count > 0) ors.Add(ands.Count == 1 ? ands[0] : "(" + string.Join(" AND ", ands.Distinct()) + ")");
        }
        return ors.Count == 0 ? null : ors.Count == 1 ? ors[0] : "(" + string.Join(" OR ", ors.Distinct()) + ")";
    }

    /// <summary>Several expressions that all apply (the licences of a package's files) joined with AND, sorted.</summary>
    public static string? All(IEnumerable<string> expressions)
    {
        var list = expressions.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (list.Count == 0) return null;
        if (list.Count == 1) return list[0].StartsWith('(') && list[0].EndsWith(')') ? list[0][1..^1] : list[0];
        return string.Join(" AND ", list);
    }
}
