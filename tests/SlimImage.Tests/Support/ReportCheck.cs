using System.Formats.Tar;
using System.Text.RegularExpressions;
using SlimImage.Report;
using Xunit;

namespace SlimImage.Tests.Support;

/// <summary>
/// Checks a size report the way a reader meets it: the HTML page rendered by headless Chromium (no error, the
/// treemap drawn), its Markdown tables well formed, and its largest files the archive's own largest files.
/// </summary>
public static partial class ReportCheck
{
    /// <summary>The Markdown's tables, by the heading above each: rows of cells (escaped <c>\|</c> does not split).</summary>
    public static Dictionary<string, List<string[]>> MarkdownTables(string markdown)
    {
        var tables = new Dictionary<string, List<string[]>>();
        string? heading = null;
        List<string[]>? rows = null;
        var lines = markdown.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.StartsWith('#')) { heading = line.TrimStart('#').Trim(); rows = null; continue; }
            if (!line.StartsWith('|')) { rows = null; continue; }
            var cells = Cells(line);
            if (rows == null)
            {
                Assert.True(i + 1 < lines.Length && Cells(lines[i + 1]).All(c => c == "---"), $"the table under '{heading}' has no separator row");
                Assert.Equal(cells.Length, Cells(lines[i + 1]).Length);
                rows = [cells];
                var key = heading ?? "";
                for (var n = 2; tables.ContainsKey(key); n++) key = $"{heading} ({n})";
                tables[key] = rows;
                i++;
                continue;
            }
            Assert.True(cells.Length == rows[0].Length, $"a row under '{heading}' has {cells.Length} cells, the header {rows[0].Length}: {line}");
            rows.Add(cells);
        }
        return tables;
    }

    private static string[] Cells(string line)
    {
        var inner = line.Trim();
        if (!inner.StartsWith('|') || !inner.EndsWith('|')) return [];
        return UnescapedPipe().Split(inner[1..^1]).Select(c => c.Trim()).ToArray();
    }

    [GeneratedRegex(@"(?<!\\)\|")]
    private static partial Regex UnescapedPipe();

    /// <summary>
    /// The page renders with no error, on a desktop and a narrow window, and its treemap is drawn: most pixels
    /// of the treemap's box are coloured (not the white page, not grey). It prints to PDF as well.
    /// </summary>
    public static void AssertRenders(string htmlPath)
    {
        var html = File.ReadAllText(htmlPath);
        // Self-contained: nothing is fetched, no external script, style, font or image.
        Assert.DoesNotMatch(@"(?i)<(link|img|iframe|object|embed|audio|video|source|base)\b|<script[^>]*\bsrc\s*=|url\(|@import|<a\b", html);
        // 500 px is the narrowest window headless Chromium opens; the page's phone layout starts below 600 px.
        foreach (var (width, height) in new[] { (1200, 900), (500, 900) })
        {
            var page = Chromium.Render(htmlPath, width, height);
            Assert.True(page.Errors.Count == 0, $"at {width}x{height}: " + string.Join("\n", page.Errors));
            Assert.True(page.Treemap is { Width: > 0, Height: > 0 }, $"no treemap at {width}x{height}");
            var (x, y, w, h) = page.Treemap!.Value;
            Assert.True(w <= width, $"the treemap ({w} px) is wider than the {width} px window");
            var shot = Chromium.Screenshot(htmlPath, width, height);
            int coloured = 0, total = 0;
            for (var py = y + 2; py < Math.Min(y + h - 2, shot.Height); py++)
                for (var px = x + 2; px < Math.Min(x + w - 2, shot.Width); px++)
                {
                    var (r, g, b) = shot[px, py];
                    total++;
                    if (Math.Max(r, Math.Max(g, b)) - Math.Min(r, Math.Min(g, b)) > 30) coloured++;
                }
            Assert.True(total > 0 && coloured > total / 2, $"at {width}x{height} only {coloured} of {total} pixels of the treemap's box are coloured");
        }
        var pdf = Chromium.PrintToPdf(htmlPath);
        Assert.True(pdf.Length > 1000 && pdf.AsSpan(0, 5).SequenceEqual("%PDF-"u8), "printing gave no PDF");
    }

    /// <summary>
    /// The report's largest files are the archive's: its regular files across every layer, largest first (ties by
    /// path), read back from the tar; the Markdown's table lists them in that order and the page names them.
    /// </summary>
    public static void AssertNamesLargestFiles(ArchiveView archive, string htmlPath, string markdownPath, int count = 10)
    {
        var expected = archive.Layers.SelectMany(l => l.Entries).Where(e => e.Type is TarEntryType.RegularFile or TarEntryType.V7RegularFile)
            .OrderByDescending(e => e.Size).ThenBy(e => e.Path, StringComparer.Ordinal).Take(count).ToList();
        var table = MarkdownTables(File.ReadAllText(markdownPath)).Single(t => t.Key.EndsWith("largest files", StringComparison.Ordinal)).Value;
        Assert.Equal(["file", "size", "origin", "layer"], table[0]);
        Assert.Equal(expected.Select(e => ReportText.Markdown(e.Path)), table.Skip(1).Take(count).Select(r => r[0]));
        Assert.Equal(expected.Select(e => ReportText.Size(e.Size)), table.Skip(1).Take(count).Select(r => r[1]));
        var html = File.ReadAllText(htmlPath);
        foreach (var e in expected)
            Assert.Contains($"<code>{ReportText.Html(e.Path)}</code>", html);
        Assert.Contains(archive.ManifestDigest, html);
        Assert.Contains(archive.ManifestDigest, File.ReadAllText(markdownPath));
    }
}
