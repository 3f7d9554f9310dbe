using SlimImage.Diagnostics;
using Xunit;

namespace SlimImage.Tests;

public class MessagesTests
{
    [Fact]
    public void EveryMessageStartsWithItsOwnCodeAndNoCodeRepeats()
    {
        var all = Messages.All().ToList();
        Assert.NotEmpty(all);
        foreach (var (group, code, text) in all)
        {
            Assert.Matches(@"^SLIM\d{4}$", code);
            Assert.StartsWith(code + ": ", text);
            var expectedGroup = code[4] switch
            {
                '1' => "Input", '2' => "Elf", '3' => "Image", '4' => "Registry",
                '5' => code[5] switch { '0' => string.CompareOrdinal(code, "SLIM5050") < 0 ? "Smoke" : "Report", '1' => "Sbom", '2' => "SupplyChain", '3' => "MultiPlatform", _ => "?" },
                _ => "?",
            };
            Assert.Equal(expectedGroup, group);
        }
        Assert.Equal(all.Count, all.Select(m => m.Code).Distinct().Count());
        // a code typed into a message's text must be the message's own
        foreach (var (_, code, text) in all)
            Assert.DoesNotMatch(@"SLIM(?!" + code[4..] + @")\d{4}", text);
    }
}
