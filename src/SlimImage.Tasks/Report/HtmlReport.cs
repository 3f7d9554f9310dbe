using System.Text;

namespace SlimImage.Report;

/// <summary>
/// The HTML report: one self-contained page (inline CSS, SVG and a few lines of script; nothing from the network),
/// one section per image with its treemap, totals, digests, layers, origins, largest files, host files with why,
/// and what was left out. Readable on a phone (fluid, tables scroll sideways) and in print (no script needed, one
/// image per page). The same models give the same bytes: the only date is the build's timestamp.
/// </summary>
public static class HtmlReport
{
    private const string Style = """
        :root{color-scheme:light;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1d1d1f;background:#fff}
        body{margin:0 auto;max-width:1100px;padding:0 12px 24px;line-height:1.4}
        h1{font-size:1.4rem;margin:16px 0 4px}h2{font-size:1.2rem;margin:24px 0 8px;border-bottom:1px solid #ddd}h3{font-size:1rem;margin:18px 0 6px}
        code{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.85em;word-break:break-all}
        .scroll{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:.85rem}
        th,td{border-bottom:1px solid #e5e5e5;padding:3px 6px;text-align:left;vertical-align:top}td.n,th.n{text-align:right;white-space:nowrap}
        td.p{word-break:break-all}dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0}dt{font-weight:600}dd{margin:0}
        svg.treemap{display:block;width:100%;height:auto;border:1px solid #bbb;font-family:inherit}
        svg.treemap rect{stroke:#fff;stroke-width:.6}svg.treemap rect.layer{stroke:#333;stroke-width:1.2}
        svg.treemap text{pointer-events:none;fill:#111}svg.treemap .layer-label{font-weight:700}
        .legend{display:flex;flex-wrap:wrap;gap:4px 14px;font-size:.8rem;margin:6px 0}.legend i{display:inline-block;width:.9em;height:.9em;margin-right:4px;vertical-align:-.1em;border:1px solid #999}
        .pick{min-height:1.4em;font-size:.85rem;background:#f5f5f5;padding:2px 6px;word-break:break-all}
        @media (max-width:600px){body{padding:0 6px 16px}table{font-size:.75rem}dl{grid-template-columns:1fr}dd{margin-bottom:4px}}
        @media print{.pick{display:none}section.image+section.image{break-before:page}tr,svg.treemap{break-inside:avoid}body{max-width:none}a{color:inherit}}
        """;

    // A tap (or click) on a box shows its text below the treemap: phones have no hover for the SVG titles.
    private const string Script = """
        document.querySelectorAll('svg.treemap').forEach(function (svg) {
          var pick = svg.parentNode.querySelector('.pick');
          svg.addEventListener('click', function (e) {
            var box = e.target.closest('[data-n]');
            if (box && pick) pick.textContent = box.getAttribute('data-n');
          });
        });
        """;

    private static readonly (OriginKind Kind, string Name)[] Legend =
    [
        (OriginKind.App, "app"), (OriginKind.Package, "NuGet package"), (OriginKind.Runtime, ".NET runtime"),
        (OriginKind.OsPackage, "Debian package"), (OriginKind.Data, "data (ICU, zoneinfo, CA bundle)"),
        (OriginKind.HostFile, "host file of no package"), (OriginKind.Generated, "written by SlimImage"),
        (OriginKind.Base, "base image"), (OriginKind.Overhead, "tar headers, folders, links; grouped"),
    ];

    public static string Render(IReadOnlyList<ReportModel> images, ReportOptions options)
    {
        var h = new StringBuilder(64 * 1024);
        h.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
         .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
         .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n")
         .Append($"<title>{E("Image report: " + options.Title)}</title>\n<style>\n{Style}\n</style>\n</head>\n<body>\n")
         .Append($"<h1>{E("Image report: " + options.Title)}</h1>\n")
         .Append($"<p>Built by SlimImage; image date {E(options.Timestamp.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", System.Globalization.CultureInfo.InvariantCulture))}. ")
         .Append($"{ReportText.Count(images.Count)} image(s).</p>\n");
        foreach (var image in images)
            Section(h, image, options);
        h.Append("<script>\n").Append(Script).Append("\n</script>\n</body>\n</html>\n");
        return h.ToString();
    }

    private static void Section(StringBuilder h, ReportModel m, ReportOptions options)
    {
        var fileCount = m.Layers.Sum(l => l.Origins.Sum(o => o.Files.Count));
        h.Append("<section class=\"image\">\n").Append($"<h2>{E(m.Platform)}</h2>\n<dl>\n");
        Term(h, "compressed", ReportText.Size(m.Size) + " (what a registry stores and a pull moves)");
        Term(h, "uncompressed", ReportText.Size(m.UncompressedSize) + $" in {ReportText.Count(m.Layers.Count)} layer(s), {ReportText.Count(fileCount)} file(s)");
        Term(h, "base", m.BaseName);
        h.Append($"<dt>manifest</dt><dd><code>{E(m.ManifestDigest)}</code></dd>\n<dt>config</dt><dd><code>{E(m.ConfigDigest)}</code></dd>\n</dl>\n");

        h.Append("<h3>Where the bytes are</h3>\n<div class=\"map\">\n").Append(TreemapSvg.Render(m, options));
        h.Append("<p class=\"pick\">Tap or hover a box for its file, size and why it is there.</p>\n<div class=\"legend\">");
        foreach (var (kind, name) in Legend)
            h.Append($"<span><i style=\"background:{TreemapSvg.Colours[kind]}\"></i>{E(name)}</span>");
        h.Append("</div>\n</div>\n");

        h.Append("<h3>Layers</h3>\n");
        Table(h, ["#", "what", "compressed", "uncompressed", "files", "digest (blob) and diff_id (tar)"], [false, false, true, true, true, false],
            m.Layers.Select(l => new[]
            {
                ReportText.Count(l.Number), E(l.What), ReportText.Size(l.Size), ReportText.Size(l.UncompressedSize),
                ReportText.Count(l.Origins.Sum(o => o.Files.Count)), $"<code>{E(l.Digest)}</code><br><code>{E(l.DiffId)}</code>",
            }), options.TableRows, null);

        var origins = m.Layers.SelectMany(l => l.Origins.Select(o => (Layer: l, Origin: o)))
            .OrderByDescending(x => x.Origin.Size).ThenBy(x => x.Origin.Name, StringComparer.Ordinal).ThenBy(x => x.Layer.Number).ToList();
        var fileBytes = m.Layers.Sum(l => l.FileBytes);
        h.Append("<h3>Origins</h3>\n");
        Table(h, ["origin", "layer", "files", "size", "share of file bytes"], [false, true, true, true, true],
            origins.Select(x => new[]
            {
                $"<i style=\"display:inline-block;width:.8em;height:.8em;margin-right:4px;background:{TreemapSvg.Colours[x.Origin.Kind]}\"></i>{E(x.Origin.Name)}",
                ReportText.Count(x.Layer.Number), ReportText.Count(x.Origin.Files.Count), ReportText.Size(x.Origin.Size), ReportText.Percent(x.Origin.Size, fileBytes),
            }), options.TableRows, rest => $"{rest.Count} more origins");

        h.Append($"<h3>The {ReportText.Count(options.LargestFiles)} largest files</h3>\n");
        Table(h, ["file", "size", "origin", "layer"], [false, true, false, true],
            m.Files().Take(options.LargestFiles).Select(x => new[]
            {
                $"<code>{E(x.File.Path)}</code>", ReportText.Size(x.File.Size), E(x.Origin.Name), ReportText.Count(x.Layer.Number),
            }), options.LargestFiles, null);

        h.Append("<h3>Files from the build machine, and why</h3>\n");
        if (m.HostFiles.Count == 0) h.Append("<p>None.</p>\n");
        else
            Table(h, ["in the image", "size", "Debian package", "why", "from"], [false, true, false, false, false],
                m.HostFiles.Select(f => new[]
                {
                    $"<code>{E(f.ImagePath)}</code>", ReportText.Size(f.Size), E(f.Package ?? "(none)"), E(f.Why), $"<code>{E(f.HostPath)}</code>",
                }), options.TableRows, rest => $"{rest.Count} more host files");

        h.Append("<h3>Left out of the publish output</h3>\n");
        if (m.LeftOut.Count == 0) h.Append("<p>Nothing.</p>\n");
        else
        {
            h.Append($"<p>{ReportText.Count(m.LeftOut.Count)} file(s), {ReportText.Size(m.LeftOut.Sum(f => f.Size))}.</p>\n");
            Table(h, ["file", "size", "why"], [false, true, false],
                m.LeftOut.Select(f => new[] { $"<code>{E(f.Path)}</code>", ReportText.Size(f.Size), E(f.Why) }),
                options.TableRows, rest => $"{rest.Count} more files left out");
        }
        h.Append("</section>\n");
    }

    private static void Term(StringBuilder h, string term, string value) => h.Append($"<dt>{E(term)}</dt><dd>{E(value)}</dd>\n");

    /// <summary>A table of already-escaped cells, cut at <paramref name="max"/> rows with one line saying what is left.</summary>
    private static void Table(StringBuilder h, string[] head, bool[] numeric, IEnumerable<string[]> rows, int max, Func<List<string[]>, string>? more)
    {
        h.Append("<div class=\"scroll\"><table>\n<thead><tr>");
        for (var i = 0; i < head.Length; i++)
            h.Append(numeric[i] ? "<th class=\"n\">" : "<th>").Append(E(head[i])).Append("</th>");
        h.Append("</tr></thead>\n<tbody>\n");
        var all = rows.ToList();
        foreach (var row in all.Take(max))
        {
            h.Append("<tr>");
            for (var i = 0; i < row.Length; i++)
                h.Append(numeric[i] ? "<td class=\"n\">" : "<td class=\"p\">").Append(row[i]).Append("</td>");
            h.Append("</tr>\n");
        }
        if (all.Count > max && more != null)
            h.Append($"<tr><td colspan=\"{ReportText.Count(head.Length)}\">… {E(more(all.Skip(max).ToList()))}</td></tr>\n");
        h.Append("</tbody>\n</table></div>\n");
    }

    private static string E(string? text) => ReportText.Html(text);
}
