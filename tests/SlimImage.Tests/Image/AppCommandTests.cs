using SlimImage.Diagnostics;
using SlimImage.Image;
using Xunit;

namespace SlimImage.Tests.Image;

/// <summary>Entrypoint and Cmd as the SDK's PublishContainer composes them, one row per rule.</summary>
public class AppCommandTests
{
    private static readonly string[] App = ["/app/App"];

    private static string[] L(string? list) => string.IsNullOrEmpty(list) ? [] : list.Split(' ');

    [Theory]
    // nothing set: the app is the Entrypoint, whatever the base had
    [InlineData("", "", "", "", "", "", "", "/app/App", "")]
    [InlineData("", "", "", "", "", "", "/bin/sh -c", "/app/App", "")]
    // arguments the app always needs go after it; default arguments are Cmd
    [InlineData("", "--fixed", "--def", "", "", "", "", "/app/App --fixed", "--def")]
    // DefaultArgs: the base keeps its Entrypoint, the app command leads Cmd
    [InlineData("", "--fixed", "--def", "", "", "DefaultArgs", "/docker-entrypoint.sh", "/docker-entrypoint.sh", "/app/App --fixed --def")]
    // ... except a base whose Entrypoint is dotnet: that is dropped
    [InlineData("", "", "", "", "", "DefaultArgs", "dotnet", "", "/app/App")]
    [InlineData("", "", "", "", "", "DefaultArgs", "/usr/bin/dotnet", "", "/app/App")]
    // an app command of the project's own
    [InlineData("dotnet ef", "database update", "", "", "", "Entrypoint", "", "dotnet ef database update", "")]
    // None: ContainerEntrypoint and the default arguments alone
    [InlineData("-", "", "echo hi", "/bin/sh -c", "", "None", "", "/bin/sh -c", "echo hi")]
    // the deprecated ContainerEntrypoint: the app command becomes default arguments
    [InlineData("", "", "x", "/bin/sh", "", "", "", "/bin/sh", "/app/App x")]
    // ContainerEntrypointArgs alone, as before .NET 8: the app's arguments
    [InlineData("", "", "", "", "--legacy", "", "", "/app/App", "--legacy")]
    public void ComposesAsTheSdk(string appCommand, string appArgs, string defaultArgs, string entrypoint, string entrypointArgs,
        string instruction, string baseEntrypoint, string expectedEntrypoint, string expectedCmd)
    {
        var settings = new AppCommandSettings
        {
            AppCommand = appCommand == "-" ? [] : appCommand == "" ? App : L(appCommand),
            AppCommandArgs = L(appArgs),
            DefaultArgs = L(defaultArgs),
            Entrypoint = L(entrypoint),
            EntrypointArgs = L(entrypointArgs),
            Instruction = AppCommandSettings.ParseInstruction(instruction),
        };
        var (e, c) = AppCommandComposer.Compose(settings, L(baseEntrypoint));
        Assert.Equal(L(expectedEntrypoint), e);
        Assert.Equal(L(expectedCmd), c);
    }

    [Theory]
    [InlineData("", "", "", "--x", "DefaultArgs", "SLIM1052")]   // ContainerEntrypointArgs with no ContainerEntrypoint
    [InlineData("-", "--x", "", "", "None", "SLIM1053")]          // app arguments with no app command
    [InlineData("", "", "", "", "None", "SLIM1054")]              // None, yet an app command
    [InlineData("", "", "/bin/sh", "", "Entrypoint", "SLIM1055")] // two Entrypoints
    public void ConflictsAreErrorsNamingTheProperties(string appCommand, string appArgs, string entrypoint, string entrypointArgs,
        string instruction, string code)
    {
        var settings = new AppCommandSettings
        {
            AppCommand = appCommand == "-" ? [] : App,
            AppCommandArgs = L(appArgs),
            Entrypoint = L(entrypoint),
            EntrypointArgs = L(entrypointArgs),
            Instruction = AppCommandSettings.ParseInstruction(instruction),
        };
        Assert.Equal(code, Assert.Throws<SlimException>(() => AppCommandComposer.Compose(settings, [])).Code);
    }

    [Fact]
    public void AnUnknownInstructionIsSlim1056()
    {
        var e = Assert.Throws<SlimException>(() => AppCommandSettings.ParseInstruction("Cmd"));
        Assert.Equal("SLIM1056", e.Code);
        Assert.Contains("'Cmd'", e.Message);
        Assert.Equal(AppCommandInstruction.DefaultArgs, AppCommandSettings.ParseInstruction("defaultargs"));
    }
}
