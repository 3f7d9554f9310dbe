using System.IO.Compression;
using SlimImage.Tests.Support;
using Xunit;

namespace SlimImage.Tests.EndToEnd;

/// <summary>
/// The ASP.NET Core templates as <c>dotnet new</c> writes them, published with only <c>-p:SlimImage=true</c>: their
/// <c>MapStaticAssets()</c> needs <c>wwwroot/</c> (with the .gz/.br variants), the endpoint manifest, the scoped CSS
/// bundle and Blazor's <c>_framework/</c>, none of which are all among ResolvedFileToPublish. Each image is started,
/// and curl, in the image's own network namespace, fetches <c>/</c> and static files plain and with gzip.
/// </summary>
public class WebTemplateTests
{
    [Fact]
    public void RazorPagesTemplateServesPagesAndStaticAssets() =>
        PublishRunAndFetch("webapp", "WebPages", "Welcome", ["css/site.css", "js/site.js", "WebPages.styles.css"]);

    [Fact]
    public void MvcTemplateServesPagesAndStaticAssets() =>
        PublishRunAndFetch("mvc", "WebMvc", "Welcome", ["css/site.css", "lib/jquery/dist/jquery.min.js", "WebMvc.styles.css"]);

    [Fact]
    public void BlazorTemplateServesPagesAndTheFramework() =>
        PublishRunAndFetch("blazor", "WebBlazor", "Hello, world!", ["app.css", "_framework/blazor.web.js", "WebBlazor.styles.css"]);

    private static void PublishRunAndFetch(string template, string name, string pageText, string[] assets)
    {
        var project = TestProject.FromTemplate(template, name);
        var publish = project.Publish("-p:SlimImage=true").EnsureSuccess();
        Assert.DoesNotContain("SLIM1030", publish.Output); // a fresh publish leaves nothing behind
        var publishDir = Path.Combine(project.Directory, "bin/Release/net10.0/linux-x64/publish");
        var view = ArchiveValidator.Validate(project.DefaultArchive());
        var files = view.Files;
        Assert.True(files.ContainsKey($"/app/{name}.staticwebassets.endpoints.json"), "the endpoint manifest is missing");
        // Everything of wwwroot/ the publish wrote is in the image, byte for byte.
        var wwwroot = Directory.GetFiles(Path.Combine(publishDir, "wwwroot"), "*", SearchOption.AllDirectories);
        Assert.Contains(wwwroot, f => f.EndsWith(".gz", StringComparison.Ordinal));
        Assert.Contains(wwwroot, f => f.EndsWith(".br", StringComparison.Ordinal));
        foreach (var file in wwwroot)
        {
            var inImage = "/app/" + Path.GetRelativePath(publishDir, file);
            Assert.True(files.TryGetValue(inImage, out var entry), $"{inImage} is not in the image");
            if (entry.Content != null) Assert.Equal(File.ReadAllBytes(file), entry.Content);
            else Assert.Equal(new FileInfo(file).Length, entry.Size);
        }

        var output = Repo.NewTempDir("fetch");
        var client = $$"""
            set -e
            for i in $(seq 1 300); do curl -s -o /dev/null http://127.0.0.1:8080/ && break; sleep 0.2; done
            curl -s -o '{{output}}/page' -w '%{http_code}' http://127.0.0.1:8080/ > '{{output}}/page.status'
            n=0
            for asset in {{string.Join(' ', assets)}}; do
              curl -s -o "{{output}}/$n.plain" -w '%{http_code}' "http://127.0.0.1:8080/$asset" > "{{output}}/$n.plain.status"
              curl -s -H 'Accept-Encoding: gzip' -D "{{output}}/$n.gzip.headers" -o "{{output}}/$n.gzip" -w '%{http_code}' "http://127.0.0.1:8080/$asset" > "{{output}}/$n.gzip.status"
              n=$((n+1))
            done
            """;
        var run = ImageRunner.Run(project.DefaultArchive(), client: client, timeoutSeconds: 180);
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Equal("200", File.ReadAllText(Path.Combine(output, "page.status")));
        Assert.Contains(pageText, File.ReadAllText(Path.Combine(output, "page")));
        for (var n = 0; n < assets.Length; n++)
        {
            var expected = File.ReadAllBytes(Path.Combine(publishDir, "wwwroot", assets[n]));
            Assert.True(File.ReadAllText(Path.Combine(output, $"{n}.plain.status")) == "200", $"{assets[n]}: {run.Output}");
            Assert.Equal(expected, File.ReadAllBytes(Path.Combine(output, $"{n}.plain")));
            Assert.Equal("200", File.ReadAllText(Path.Combine(output, $"{n}.gzip.status")));
            Assert.Contains("content-encoding: gzip", File.ReadAllText(Path.Combine(output, $"{n}.gzip.headers")), StringComparison.OrdinalIgnoreCase);
            using var gzip = new GZipStream(File.OpenRead(Path.Combine(output, $"{n}.gzip")), CompressionMode.Decompress);
            using var body = new MemoryStream();
            gzip.CopyTo(body);
            Assert.Equal(expected, body.ToArray());
        }
    }
}
