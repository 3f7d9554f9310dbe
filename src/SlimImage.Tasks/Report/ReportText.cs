using System.Globalization;
using System.Text;

namespace SlimImage.Report;

/// <summary>
/// Escaping of untrusted names (file names come from the publish folder, packages and base images) for HTML and for
/// Markdown table cells, and the report's number formats.
/// </summary>
public static class ReportText
{
    /// <summary>Text safe in an HTML element or a double- or single-quoted attribute.</summary>
    public static string Html(string? text)
    {
        var s = new StringBuilder((text ?? "").Length + 16);
        foreach (var c in Printable(text))
            s.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => c.ToString(),
            });
        return s.ToString();
    }

    /// <summary>
    /// Text safe in a GitHub Markdown table cell: <c>|</c> cannot end the cell, and no emphasis, link, code span, HTML
    /// tag or entity can start in a name (GFM lets any ASCII punctuation be escaped with a backslash).
    /// </summary>
    public static string Markdown(string? text)
    {
        var s = new StringBuilder((text ?? "").Length + 16);
        foreach (var c in Printable(text))
        {
            if (c == '&') s.Append("&amp;");
            else if ("\\`*_[]<>|#~!()".Contains(c)) s.Append('\\').Append(c);
            else s.Append(c);
        }
        return s.ToString();
    }

    /// <summary>Bytes as the build's messages write them (binary units, one decimal).</summary>
    public static string Size(long bytes) => Diagnostics.ByteSize.Format(bytes);

    /// <summary>A share of a total in percent, one decimal.</summary>
    public static string Percent(long part, long total) =>
        (total <= 0 ? 0 : 100.0 * part / total).ToString("0.0", CultureInfo.InvariantCulture) + " %";

    /// <summary>A coordinate of the SVG: at most two decimals, invariant.</summary>
    public static string Number(double value) => Math.Round(value, 2).ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>A whole number, invariant.</summary>
    public static string Count(long value) => value.ToString(CultureInfo.InvariantCulture);

    // Control characters (a newline in a file name would end a Markdown row) and lone surrogates become U+FFFD.
    private static IEnumerable<char> Printable(string? text)
    {
        text ??= "";
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                yield return c;
                yield return text[++i];
            }
            else if (char.IsSurrogate(c) || char.IsControl(c))
                yield return '\uFFFD';
            else
                yield return c;
        }
    }
}
