using SlimImage.Diagnostics;
using SlimImage.Smoke;
using Xunit;

namespace SlimImage.Tests.Smoke;

/// <summary>The SlimImageSmokeTest* properties as the task reads them, and the hints a failed run's output gets.</summary>
public class SmokeSettingsTests
{
    [Fact]
    public void PropertiesParseWithDefaultsAndBadValuesNameTheProperty()
    {
        Assert.Null(SmokeTestSettings.Parse("false", "x", "", "", "", "", ""));
        Assert.Null(SmokeTestSettings.Parse("", null, null, null, null, null, null));
        var defaults = SmokeTestSettings.Parse("true", "", "", "", "", "", "")!;
        Assert.Equal((0, 30.0, SmokeRunner.Auto), (defaults.ExitCode, defaults.Timeout.TotalSeconds, defaults.Runner));
        Assert.Null(defaults.Args);
        Assert.Null(defaults.UrlPath);
        var set = SmokeTestSettings.Parse("True", "a; b;;c", "3", "^hi", "5", "http://localhost:5000/healthz?x=1", "docker")!;
        Assert.Equal(["a", "b", "c"], set.Args!);
        Assert.Equal((3, 5.0, "^hi", "/healthz?x=1", 5000, SmokeRunner.Docker),
            (set.ExitCode, set.Timeout.TotalSeconds, set.Expect, set.UrlPath, set.Port, set.Runner));

        Assert.Contains("SlimImageSmokeTestTimeout", Assert.Throws<SlimException>(() => SmokeTestSettings.Parse("true", "", "", "", "0", "", "")).Message);
        Assert.Contains("SlimImageSmokeTestExitCode", Assert.Throws<SlimException>(() => SmokeTestSettings.Parse("true", "", "-1", "", "", "", "")).Message);
        Assert.Contains("SlimImageSmokeTestExpect", Assert.Throws<SlimException>(() => SmokeTestSettings.Parse("true", "", "", "(", "", "", "")).Message);
        Assert.Contains("SlimImageSmokeTestUrl", Assert.Throws<SlimException>(() => SmokeTestSettings.Parse("true", "", "", "", "", "http://example.com/x", "")).Message);
        Assert.Contains("SlimImageSmokeTestRunner", Assert.Throws<SlimException>(() => SmokeTestSettings.Parse("true", "", "", "", "", "", "lxc")).Message);
        Assert.Equal("SLIM5000", Assert.Throws<SlimException>(() => SmokeTestSettings.Parse("yes", "", "", "", "", "", "")).Code);
    }

    [Theory]
    [InlineData("No usable version of libssl was found\n", "No usable version of libssl was found", "SlimImageOpenSsl=true")]
    [InlineData("Process terminated. Couldn't find a valid ICU package installed on the system.", "Process terminated. Couldn't find a valid ICU package installed on the system.", "InvariantGlobalization=true")]
    [InlineData("x\nUnhandled exception. System.TimeZoneNotFoundException: The time zone ID 'Europe/Berlin' was not found on the local computer.\n   at …",
        "Unhandled exception. System.TimeZoneNotFoundException: The time zone ID 'Europe/Berlin' was not found on the local computer.", "SlimImageTimeZoneData=true")]
    [InlineData("Unhandled exception. System.DllNotFoundException: Unable to load shared library 'libfoo.so' or one of its dependencies.",
        "Unhandled exception. System.DllNotFoundException: Unable to load shared library 'libfoo.so' or one of its dependencies.", "SlimImageNativeLibrary Include=\"libfoo.so\"")]
    [InlineData("/app/x: error while loading shared libraries: libbar.so.1: cannot open shared object file: No such file or directory",
        "/app/x: error while loading shared libraries: libbar.so.1: cannot open shared object file: No such file or directory", "'libbar.so.1'")]
    public void KnownFailuresAreQuotedWithTheSettingThatFixesThem(string output, string quote, string hint)
    {
        var (q, h) = FailureHints.Explain(output);
        Assert.Equal(quote, q);
        Assert.Contains(hint, h);
    }

    [Fact]
    public void AnUnknownFailureQuotesTheUnhandledExceptionElseTheLastLine()
    {
        Assert.Equal(("Unhandled exception. System.Exception: boom", null), FailureHints.Explain("a\nUnhandled exception. System.Exception: boom\n   at Program.Main()\n"));
        Assert.Equal(("last words", null), FailureHints.Explain("first\nlast words\n\n"));
        Assert.Equal(("", null), FailureHints.Explain(""));
    }
}
