using SlimImage.Base;
using SlimImage.Diagnostics;
using SlimImage.Pipeline;
using SlimImage.Publish;
using SlimImage.Report;
using SlimImage.Rootfs;
using SlimImage.Tests.Base;
using SlimImage.Tests.Layers;
using SlimImage.Tests.Support;
using Xunit;
using SlimImage.Entries;

namespace SlimImage.Tests.Report;

/// <summary>
/// The size report of the real pipeline on a small publish folder (a gcc-built app on busybox, files standing for the
/// runtime pack and a NuGet package, a file named like markup, hundreds of small files, a left-out .pdb), read as a
/// person would: rendered in headless Chromium, and its Markdown tables parsed.
/// </summary>
public class ReportPipelineTests
{
    private const string Hostile = "<img src=x onerror=alert(1)>|evil [x](y).txt";

    private static ImageRequest Request(ScratchDir dir, string? summary)
    {
        var request = TestRequests.WholePipeline(dir, "busybox");
        var extra = new List<PublishFile>(request.PublishFiles)
        {
            new(dir.File("publish/" + Hostile, new string('h', 300_000)), Hostile, EntryOrigin.Package)
                { Asset = new PublishAsset("Evil<b>.Package", "1.0.0", "runtime") },
            new(dir.File("publish/app.pdb", new string('p', 5000)), "app.pdb", EntryOrigin.App),
        };
        for (var i = 0; i < 300; i++)
            extra.Add(new PublishFile(dir.File($"publish/wwwroot/f{i:000}.txt", new string('w', 100 + i)), $"wwwroot/f{i:000}.txt", EntryOrigin.App));
        return request with { PublishFiles = extra, Report = true, StepSummaryPath = summary };
    }

    [Fact]
    public void ReportRendersInChromiumNamesTheLargestFilesAndEscapesNames()
    {
        using var dir = new ScratchDir();
        var summary = dir.File("summary.md", "previous step\n");
        var (result, messages) = BasePipelineTests.Run(Request(dir, summary));
        var html = result.ArchivePath + ".report.html";
        var md = result.ArchivePath + ".report.md";
        Assert.Contains(messages, m => m.Code == "SLIM5050" && m.Message.Contains(html));
        Assert.Equal([html, md], result.ReportFiles);

        var page = File.ReadAllText(html);
        var markdown = File.ReadAllText(md);
        Assert.DoesNotContain("<img", page);
        Assert.DoesNotContain("<b>", page);
        Assert.Contains(ReportText.Html("/app/" + Hostile), page);
        Assert.Contains("NuGet Evil&lt;b&gt;.Package 1.0.0", page);
        Assert.Contains(ReportText.Markdown("/app/" + Hostile), markdown);
        Assert.DoesNotMatch(@"(?<!\\)<img", markdown);
        // Only the largest 24 of the app's 301 files get boxes; the rest is one.
        Assert.Contains("277 smaller files of app", page);

        var tables = ReportCheck.MarkdownTables(markdown);
        foreach (var heading in new[] { "linux/amd64", "Layers", "The 20 largest files", "Origins", "Files from the build machine", "Left out" })
            Assert.True(tables.ContainsKey(heading), $"no table under '{heading}' in:\n{markdown}");
        Assert.Equal(6, tables["Layers"].Count); // header, busybox, build machine, runtime, package, app
        Assert.Contains(tables["Origins"], r => r[0] == "base image busybox");
        Assert.Contains(tables["Origins"], r => r[0] == "app" && r[2] == "301");
        Assert.Contains(tables["Origins"], r => r[0] == ".NET runtime");
        Assert.Contains(tables["Origins"], r => r[0] == "Debian package libc6");
        Assert.Contains(tables["Files from the build machine"], r => r[0].EndsWith("libc.so.6", StringComparison.Ordinal) && r[2] == "libc6" && r[3].Contains("needed by"));
        Assert.Equal(["/app/app.pdb", "4.9 KB"], tables["Left out"][1][..2]);
        Assert.Equal("previous step\n" + markdown + "\n", File.ReadAllText(summary));

        var view = ArchiveValidator.Validate(result.ArchivePath!);
        ReportCheck.AssertNamesLargestFiles(view, html, md);
        ReportCheck.AssertRenders(html);

        // The same inputs give the same report, byte for byte.
        var (again, _) = BasePipelineTests.Run(Request(dir, null));
        Assert.Equal(page, File.ReadAllText(again.ArchivePath + ".report.html"));
        Assert.Equal(markdown, File.ReadAllText(again.ArchivePath + ".report.md"));
    }

    [Fact]
    public void AStepSummaryThatCannotBeWrittenIsAWarningAndTheReportIsWritten()
    {
        using var dir = new ScratchDir();
        var folder = dir.Combine("summary-folder");
        Directory.CreateDirectory(folder);
        var (result, messages) = BasePipelineTests.Run(Request(dir, folder) with { Base = BaseSource.None });
        Assert.Contains(messages, m => m.Code == "SLIM5052" && m.Severity == SlimSeverity.Warning && m.Message.Contains(folder));
        Assert.True(File.Exists(result.ArchivePath + ".report.md"));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(result.ArchivePath)!, "*.tmp"));
    }

    [Fact]
    public void APublishWithNothingChangedKeepsTheReportAndOneWithoutItBuildsAgain()
    {
        using var dir = new ScratchDir();
        var summary = dir.Combine("summary.md");
        var request = Request(dir, summary) with { Base = BaseSource.None, IntermediateDirectory = dir.Combine("obj") };
        RequestValidator.Validate(request);
        var first = IncrementalPipeline.Run(request, _ => { }, CancellationToken.None);
        var html = first.ArchivePath + ".report.html";
        var written = File.GetLastWriteTimeUtc(html);
        var markdown = File.ReadAllText(first.ArchivePath + ".report.md");

        // A CI step of its own has another summary file: still nothing to build, and the summary gets the report.
        var messages = new List<SlimDiagnostic>();
        var secondSummary = dir.Combine("summary2.md");
        IncrementalPipeline.Run(request with { StepSummaryPath = secondSummary }, messages.Add, CancellationToken.None);
        Assert.Contains(messages, m => m.Code == "SLIM1402");
        Assert.Equal(written, File.GetLastWriteTimeUtc(html));
        Assert.Equal(markdown + "\n", File.ReadAllText(secondSummary));

        File.Delete(html);
        messages.Clear();
        IncrementalPipeline.Run(request, messages.Add, CancellationToken.None);
        Assert.DoesNotContain(messages, m => m.Code == "SLIM1402");
        Assert.True(File.Exists(html), "a deleted report must be written again");
    }

    [Fact]
    public void PushingOnlyPutsTheReportWhereTheArchiveWouldGo()
    {
        var request = TestRequests.For("/tmp/x") with { WriteArchive = false, Registry = "127.0.0.1:5000" };
        Assert.Equal(("/tmp/x/app.report.html", "/tmp/x/app.report.md"), ReportStage.Paths(request));
        Assert.Equal("127.0.0.1:5000/app:latest", ReportStage.Options(request).Title);
        Assert.Equal(("/tmp/x/app.tar.report.html", "/tmp/x/app.tar.report.md"), ReportStage.Paths(request with { WriteArchive = true }));
    }
}
