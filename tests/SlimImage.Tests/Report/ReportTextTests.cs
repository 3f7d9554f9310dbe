using SlimImage.Report;
using Xunit;

namespace SlimImage.Tests.Report;

public class ReportTextTests
{
    [Theory]
    [InlineData("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;")]
    [InlineData("a\"b'c&d", "a&quot;b&#39;c&amp;d")]
    [InlineData("line\nbreak\0", "line\uFFFDbreak\uFFFD")]
    [InlineData("ü ✓ 😀", "ü ✓ 😀")]
    public void HtmlEscapesMarkupQuotesAndControlCharacters(string name, string expected) =>
        Assert.Equal(expected, ReportText.Html(name));

    [Fact]
    public void ALoneSurrogateIsReplaced()
    {
        var name = "lone " + (char)0xD800 + " surrogate";
        Assert.Equal("lone \uFFFD surrogate", ReportText.Html(name));
        Assert.Equal("lone \uFFFD surrogate", ReportText.Markdown(name));
    }

    [Theory]
    [InlineData("a|b", "a\\|b")]
    [InlineData("<img src=x onerror=alert(1)>", "\\<img src=x onerror=alert\\(1\\)\\>")]
    [InlineData("*bold* _it_ [link](x) `code` ~s~ #h !", "\\*bold\\* \\_it\\_ \\[link\\]\\(x\\) \\`code\\` \\~s\\~ \\#h \\!")]
    [InlineData("back\\slash &amp;", "back\\\\slash &amp;amp;")]
    [InlineData("two\r\nlines", "two\uFFFD\uFFFDlines")]
    public void MarkdownKeepsANameInsideItsTableCell(string name, string expected) =>
        Assert.Equal(expected, ReportText.Markdown(name));
}
