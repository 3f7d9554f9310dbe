using System.Text;
using SlimImage.Diagnostics;
using SlimImage.Tests.Support;
using Xunit;

namespace SlimImage.Tests;

/// <summary>
/// docs/errors.md lists every SLIM code with its text (cause and what to do), generated from the resource
/// files. Regenerate it with: SLIMIMAGE_UPDATE_DOCS=1 build/test.sh --filter ErrorDocs
/// </summary>
public class ErrorDocsTests
{
    private static readonly Dictionary<string, string> Stages = new()
    {
        ["Input"] = "Project and input (SLIM1xxx)",
        ["Elf"] = "ELF files and the library closure (SLIM2xxx)",
        ["Image"] = "Layers, image and archive (SLIM3xxx)",
        ["Registry"] = "Registry (SLIM4xxx)",
        ["Smoke"] = "Smoke run (SLIM5000-5049)",
        ["Report"] = "Size report (SLIM5050-5099)",
        ["Sbom"] = "SBOM (SLIM51xx)",
        ["SupplyChain"] = "Labels and what scanners see (SLIM52xx)",
        ["MultiPlatform"] = "Several platforms in one image index (SLIM53xx)",
    };

    [Fact]
    public void ErrorDocsListEveryCodeWithItsText()
    {
        var expected = Render();
        var path = Path.Combine(Repo.Root, "docs", "errors.md");
        if (Environment.GetEnvironmentVariable("SLIMIMAGE_UPDATE_DOCS") == "1")
            File.WriteAllText(path, expected);
        Assert.True(File.Exists(path), "docs/errors.md is missing: run SLIMIMAGE_UPDATE_DOCS=1 build/test.sh --filter ErrorDocs");
        Assert.True(expected == File.ReadAllText(path),
            "docs/errors.md is out of date with Diagnostics/*.resx: run SLIMIMAGE_UPDATE_DOCS=1 build/test.sh --filter ErrorDocs");
    }

    private static string Render()
    {
        var text = new StringBuilder();
        text.AppendLine("# SlimImage errors, warnings and messages");
        text.AppendLine();
        text.AppendLine("Every message SlimImage prints starts with its code. Each entry below says what went wrong and what to");
        text.AppendLine("do; `{0}`, `{1}`, … stand for the file, library, property or value named in the real message.");
        text.AppendLine("Generated from `src/SlimImage.Tasks/Diagnostics/*.resx` (see tests/SlimImage.Tests/ErrorDocsTests.cs).");
        foreach (var group in Messages.All().GroupBy(m => m.Group))
        {
            text.AppendLine();
            text.AppendLine("## " + Stages.GetValueOrDefault(group.Key, group.Key));
            foreach (var (_, code, message) in group.OrderBy(m => m.Code, StringComparer.Ordinal))
            {
                text.AppendLine();
                text.AppendLine("### " + code);
                text.AppendLine();
                text.AppendLine(Messages.StripCode(message).Replace("\n", " "));
            }
        }
        return text.ToString();
    }
}
