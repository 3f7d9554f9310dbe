using System.Text;
using SlimImage.Diagnostics;
using SlimImage.FileSystem;

namespace SlimImage.Report;

/// <summary>
/// Writes the size report of one or more images: the HTML page and the Markdown beside the archive (each under a
/// temp name, then renamed, so a failed or cancelled build never leaves half a report), and the Markdown appended
/// to the step summary file when one is given.
/// </summary>
public static class ReportWriter
{
    /// <summary>The end of the temp names of a report file (<c>.{name}.{pid}-{random}.tmp</c>, as the archive's).</summary>
    public const string TempSuffix = ".tmp";

    /// <summary>Writes both files; SLIM5051 when one cannot be written, SLIM5052 (a warning) when the step summary cannot.</summary>
    public static void Write(IReadOnlyList<ReportImage> images, ReportOptions options, Action<SlimDiagnostic> report, CancellationToken ct) =>
        Write(images.Select(ReportModel.Of).ToList(), options, report, ct);

    /// <summary>Writes both files from the images' models (one section each, in this order).</summary>
    public static void Write(IReadOnlyList<ReportModel> models, ReportOptions options, Action<SlimDiagnostic> report, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var markdown = MarkdownReport.Render(models, options);
        WriteFile(options.HtmlPath, HtmlReport.Render(models, options), ct);
        WriteFile(options.MarkdownPath, markdown, ct);
        report(SlimDiagnostic.Info("SLIM5050", options.HtmlPath, options.MarkdownPath));
        if (options.StepSummaryPath != null)
            AppendSummary(markdown, options.StepSummaryPath, report);
    }

    /// <summary>
    /// Appends an existing report's Markdown to the step summary (a publish with nothing changed keeps its report but
    /// still has a step to summarise). Nothing when there is no summary file or no report.
    /// </summary>
    public static void AppendExisting(string markdownPath, string? stepSummaryPath, Action<SlimDiagnostic> report)
    {
        if (stepSummaryPath == null || !File.Exists(markdownPath)) return;
        string markdown;
        try { markdown = File.ReadAllText(markdownPath, Encoding.UTF8); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return; }
        AppendSummary(markdown, stepSummaryPath, report);
    }

    /// <summary>The start of the temp names of <paramref name="path"/>.</summary>
    public static string TempPrefix(string path) => "." + Path.GetFileName(path) + ".";

    internal static void WriteFile(string path, string text, CancellationToken ct)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var temp = Path.Combine(folder, TempPrefix(path) + TempFiles.Owner() + TempSuffix);
        try
        {
            Directory.CreateDirectory(folder);
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                var bytes = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text);
                stream.Write(bytes);
            }
            ct.ThrowIfCancellationRequested();
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TempFiles.TryDelete(temp);
            throw new SlimException("SLIM5051", path, e.Message);
        }
        catch
        {
            TempFiles.TryDelete(temp);
            throw;
        }
    }

    // GitHub gives each step its own summary file and renders what was appended; a summary that cannot be written
    // must not fail a build whose image is fine.
    private static void AppendSummary(string markdown, string path, Action<SlimDiagnostic> report)
    {
        try
        {
            if (Directory.Exists(path)) throw new IOException("it is a folder");
            using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
            stream.Write(new UTF8Encoding(false).GetBytes(markdown + "\n"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            report(SlimDiagnostic.Warning("SLIM5052", path, e.Message));
        }
    }
}
