using System.Text.RegularExpressions;

namespace SlimImage.Tests.Support;

/// <summary>What headless Chromium made of a page: the DOM after its scripts ran, the errors it reported, and where the treemap was.</summary>
public sealed record RenderedPage(string Dom, IReadOnlyList<string> Errors, (int X, int Y, int Width, int Height)? Treemap);

/// <summary>
/// Debian's headless <c>chromium</c> (build/test.sh installs it), with no network: renders a page, takes a
/// screenshot, prints it. A copy of the page gets a first script that records every script error, failed load and
/// <c>console.error</c> into the DOM, and the console log on stderr is read as well.
/// </summary>
public static partial class Chromium
{
    private const string Hook = """
        <script>(function(){var d=document.documentElement;function add(m){d.setAttribute('data-errors',(d.getAttribute('data-errors')||'')+m+'\n');}
        window.addEventListener('error',function(e){add('error: '+(e.message||(e.target&&e.target.outerHTML)||'load failed'));},true);
        window.addEventListener('unhandledrejection',function(e){add('rejection: '+e.reason);});
        document.addEventListener('securitypolicyviolation',function(e){add('csp: '+e.violatedDirective+' '+e.blockedURI);});
        var ce=console.error;console.error=function(){add('console.error: '+Array.prototype.join.call(arguments,' '));ce.apply(console,arguments);};
        window.addEventListener('load',function(){var t=document.querySelector('svg.treemap');if(t){var r=t.getBoundingClientRect();d.setAttribute('data-treemap',[r.left,r.top,r.width,r.height].map(Math.round).join(','));}});})();</script>
        """;

    /// <summary>Loads the page at the given window size and returns its DOM, errors and the treemap's box (CSS pixels).</summary>
    public static RenderedPage Render(string htmlPath, int width = 1200, int height = 900)
    {
        var copy = WithHook(htmlPath);
        var run = Run([$"--window-size={width},{height}", "--dump-dom", new Uri(copy).AbsoluteUri]);
        var errors = new List<string>();
        var attribute = ErrorsAttribute().Match(run.Output);
        if (attribute.Success)
            errors.AddRange(System.Net.WebUtility.HtmlDecode(attribute.Groups[1].Value).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        // The page itself logs nothing: every console line is an error or a warning of the browser's.
        errors.AddRange(run.Output.Split('\n').Where(l => l.Contains(":CONSOLE", StringComparison.Ordinal)));
        var box = TreemapAttribute().Match(run.Output);
        (int, int, int, int)? treemap = null;
        if (box.Success)
        {
            var v = box.Groups[1].Value.Split(',').Select(int.Parse).ToArray();
            treemap = (v[0], v[1], v[2], v[3]);
        }
        return new RenderedPage(run.Output, errors, treemap);
    }

    /// <summary>A screenshot of the page (1 device pixel per CSS pixel), read back.</summary>
    public static Png Screenshot(string htmlPath, int width = 1200, int height = 900)
    {
        var png = Path.Combine(Repo.NewTempDir("shot"), "page.png");
        Run([$"--window-size={width},{height}", "--hide-scrollbars", $"--screenshot={png}", new Uri(htmlPath).AbsoluteUri]);
        return Png.Read(png);
    }

    /// <summary>The page printed to PDF, as the browser's print dialog would (print CSS applies).</summary>
    public static byte[] PrintToPdf(string htmlPath)
    {
        var pdf = Path.Combine(Repo.NewTempDir("print"), "page.pdf");
        Run(["--no-pdf-header-footer", $"--print-to-pdf={pdf}", new Uri(htmlPath).AbsoluteUri]);
        return File.ReadAllBytes(pdf);
    }

    private static ProcessResult Run(IEnumerable<string> args)
    {
        Repo.RequireTool("chromium");
        var profile = Repo.NewTempDir("chromium-profile");
        var all = new[]
        {
            "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run", "--disable-extensions", "--force-device-scale-factor=1",
            "--enable-logging=stderr", "--v=0", $"--user-data-dir={profile}",
            // No network: a self-contained page needs none, and a request would fail loudly in the log.
            "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
        }.Concat(args);
        return Repo.Run("chromium", all, environment: new Dictionary<string, string?> { ["HOME"] = profile }, timeoutSeconds: 120).EnsureSuccess();
    }

    private static string WithHook(string htmlPath)
    {
        var html = File.ReadAllText(htmlPath);
        var head = html.IndexOf("<head>", StringComparison.Ordinal);
        if (head < 0) throw new InvalidDataException($"{htmlPath} has no <head>");
        var copy = Path.Combine(Repo.NewTempDir("page"), Path.GetFileName(htmlPath));
        File.WriteAllText(copy, html.Insert(head + "<head>".Length, Hook));
        return copy;
    }

    [GeneratedRegex("data-errors=\"([^\"]*)\"")]
    private static partial Regex ErrorsAttribute();

    [GeneratedRegex("data-treemap=\"([0-9,\\-]+)\"")]
    private static partial Regex TreemapAttribute();
}
