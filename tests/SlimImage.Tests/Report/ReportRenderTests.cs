using SlimImage.Report;
using SlimImage.Tests.Support;
using Xunit;

namespace SlimImage.Tests.Report;

/// <summary>The renderers on report models made by the test: several images, bounds for huge images, determinism.</summary>
public class ReportRenderTests
{
    private static readonly ReportOptions Options = new("/r.html", "/r.md", "app:1.0", DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));

    private static ReportModel Model(string platform, int packages, int filesPerPackage)
    {
        var origins = Enumerable.Range(0, packages).Select(p => new ReportOrigin($"NuGet Pkg{p:000} 1.0", OriginKind.Package,
            Enumerable.Range(0, filesPerPackage).Select(f => new ReportFile($"/app/p{p:000}/f{f:0000}.dll", 1000 + p * 10 + f)).ToList())).ToList();
        var app = new ReportOrigin("app", OriginKind.App, [new ReportFile("/app/app", 5_000_000)]);
        var layers = new List<ReportLayer>
        {
            new(1, "NuGet packages", "sha256:" + new string('a', 64), "sha256:" + new string('b', 64), 1000, origins.Sum(o => o.Size) + 2048,
                origins.OrderByDescending(o => o.Size).ToList()),
            new(2, "app files", "sha256:" + new string('c', 64), "sha256:" + new string('d', 64), 2000, 5_001_024, [app]),
        };
        return new ReportModel(platform, "sha256:" + new string('e', 64), "sha256:" + new string('f', 64), 3000, 5_100_000, "scratch", layers,
            [new ReportHostFile("/usr/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/x86_64-linux-gnu/libc.so.6", 2_000_000, "libc.so.6, needed by /app/app", "libc6")],
            [new ReportFile("/app/app.dbg", 2_400_000, "Debug symbols are not needed to run")]);
    }

    [Fact]
    public void OneSectionPerImageAndTheSameModelsGiveTheSameBytes()
    {
        ReportModel[] images = [Model("linux/amd64", 3, 5), Model("linux/arm64/v8", 2, 4)];
        var html = HtmlReport.Render(images, Options);
        var md = MarkdownReport.Render(images, Options);
        Assert.Equal(2, html.Split("<section class=\"image\">").Length - 1);
        Assert.Equal(2, html.Split("<svg class=\"treemap\"").Length - 1);
        Assert.Contains("<h2>linux/arm64/v8</h2>", html);
        var tables = ReportCheck.MarkdownTables(md);
        Assert.True(tables.ContainsKey("linux/amd64") && tables.ContainsKey("linux/arm64/v8"));
        Assert.True(tables.ContainsKey("Layers") && tables.ContainsKey("Layers (2)"));
        Assert.Contains("2023-11-14 22:13:20 UTC", html);
        Assert.Equal(html, HtmlReport.Render([Model("linux/amd64", 3, 5), Model("linux/arm64/v8", 2, 4)], Options));
        Assert.Equal(md, MarkdownReport.Render(images, Options));
    }

    [Fact]
    public void AHugeImageGivesAPageOfBoundedSize()
    {
        var huge = Model("linux/amd64", 400, 250); // 100,000 files
        var html = HtmlReport.Render([huge], Options);
        var md = MarkdownReport.Render([huge], Options);
        Assert.True(html.Length < 2_000_000, $"{html.Length} characters of HTML");
        Assert.True(md.Length < 64_000, $"{md.Length} characters of Markdown");
        Assert.Contains("360 smaller origins", html);
        Assert.Contains("226 smaller files of NuGet Pkg399 1.0", html);
        Assert.Contains("… 201 more origins", html);
        Assert.Contains("| … 351 more origins |", md);
        ReportCheck.MarkdownTables(md);
    }

    [Fact]
    public void TwoImagesRenderInChromium()
    {
        var path = Path.Combine(Repo.NewTempDir("report"), "two.report.html");
        File.WriteAllText(path, HtmlReport.Render([Model("linux/amd64", 3, 5), Model("linux/arm64/v8", 2, 4)], Options));
        var page = Chromium.Render(path);
        Assert.Empty(page.Errors);
        Assert.Equal(2, page.Dom.Split("<svg class=\"treemap\"").Length - 1);
    }
}
