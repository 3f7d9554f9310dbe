using System.Text;

namespace SlimImage.Report;

/// <summary>
/// The report as GitHub Markdown tables (for a pull request, a wiki or <c>$GITHUB_STEP_SUMMARY</c>): per image the
/// totals, the layers, the largest files, the origins, the files from the build machine and what was left out.
/// Every name is escaped for a table cell (<see cref="ReportText.Markdown"/>); tables are bounded, so a step summary
/// stays far below GitHub's 1 MiB.
/// </summary>
public static class MarkdownReport
{
    public static string Render(IReadOnlyList<ReportModel> images, ReportOptions options)
    {
        var md = new StringBuilder(16 * 1024);
        md.Append("# Image report: ").Append(ReportText.Markdown(options.Title)).Append("\n\n");
        foreach (var m in images)
            Section(md, m, options);
        return md.ToString();
    }

    private static void Section(StringBuilder md, ReportModel m, ReportOptions options)
    {
        var rows = Math.Min(options.TableRows, 50);
        var fileCount = m.Layers.Sum(l => l.Origins.Sum(o => o.Files.Count));
        md.Append("## ").Append(ReportText.Markdown(m.Platform)).Append("\n\n");
        Table(md, ["", ""],
        [
            ["compressed", ReportText.Size(m.Size)],
            ["uncompressed", ReportText.Size(m.UncompressedSize)],
            ["layers", ReportText.Count(m.Layers.Count)],
            ["files", ReportText.Count(fileCount)],
            ["base", ReportText.Markdown(m.BaseName)],
            ["manifest", Code(m.ManifestDigest)],
            ["config", Code(m.ConfigDigest)],
        ], rows, null);

        md.Append("### Layers\n\n");
        Table(md, ["#", "what", "compressed", "uncompressed", "files", "digest"],
            m.Layers.Select(l => new[]
            {
                ReportText.Count(l.Number), ReportText.Markdown(l.What), ReportText.Size(l.Size), ReportText.Size(l.UncompressedSize),
                ReportText.Count(l.Origins.Sum(o => o.Files.Count)), Code(l.Digest),
            }), rows, null);

        md.Append($"### The {ReportText.Count(options.LargestFiles)} largest files\n\n");
        Table(md, ["file", "size", "origin", "layer"],
            m.Files().Take(options.LargestFiles).Select(x => new[]
            {
                ReportText.Markdown(x.File.Path), ReportText.Size(x.File.Size), ReportText.Markdown(x.Origin.Name), ReportText.Count(x.Layer.Number),
            }), options.LargestFiles, null);

        var fileBytes = m.Layers.Sum(l => l.FileBytes);
        md.Append("### Origins\n\n");
        Table(md, ["origin", "layer", "files", "size", "share"],
            m.Layers.SelectMany(l => l.Origins.Select(o => (Layer: l, Origin: o)))
                .OrderByDescending(x => x.Origin.Size).ThenBy(x => x.Origin.Name, StringComparer.Ordinal).ThenBy(x => x.Layer.Number)
                .Select(x => new[]
                {
                    ReportText.Markdown(x.Origin.Name), ReportText.Count(x.Layer.Number), ReportText.Count(x.Origin.Files.Count),
                    ReportText.Size(x.Origin.Size), ReportText.Percent(x.Origin.Size, fileBytes),
                }), rows, n => $"{n} more origins");

        md.Append("### Files from the build machine\n\n");
        if (m.HostFiles.Count == 0) md.Append("None.\n\n");
        else
            Table(md, ["in the image", "size", "package", "why"],
                m.HostFiles.Select(f => new[]
                {
                    ReportText.Markdown(f.ImagePath), ReportText.Size(f.Size), ReportText.Markdown(f.Package ?? "(none)"), ReportText.Markdown(f.Why),
                }), rows, n => $"{n} more host files");

        md.Append("### Left out\n\n");
        if (m.LeftOut.Count == 0) md.Append("Nothing.\n\n");
        else
            Table(md, ["file", "size", "why"],
                m.LeftOut.Select(f => new[] { ReportText.Markdown(f.Path), ReportText.Size(f.Size), ReportText.Markdown(f.Why) }),
                rows, n => $"{n} more files left out");
    }

    private static string Code(string digest) => "`" + digest.Replace("`", "", StringComparison.Ordinal) + "`";

    private static void Table(StringBuilder md, string[] head, IEnumerable<string[]> rows, int max, Func<int, string>? more)
    {
        md.Append("| ").Append(string.Join(" | ", head)).Append(" |\n|");
        foreach (var _ in head) md.Append("---|");
        md.Append('\n');
        var count = 0;
        foreach (var row in rows)
        {
            if (count++ < max) md.Append("| ").Append(string.Join(" | ", row)).Append(" |\n");
        }
        if (count > max && more != null)
            md.Append("| … ").Append(ReportText.Markdown(more(count - max))).Append(string.Concat(Enumerable.Repeat(" |", head.Length))).Append('\n');
        md.Append('\n');
    }
}
