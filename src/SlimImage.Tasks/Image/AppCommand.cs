using SlimImage.Diagnostics;

namespace SlimImage.Image;

/// <summary>How the app command goes into the config (<c>ContainerAppCommandInstruction</c>).</summary>
public enum AppCommandInstruction
{
    /// <summary>Not set: Entrypoint, or DefaultArgs when the project sets the deprecated ContainerEntrypoint.</summary>
    Unset,
    /// <summary>The app command and its arguments become Cmd, in front of the default arguments.</summary>
    DefaultArgs,
    /// <summary>The app command and its arguments become the Entrypoint.</summary>
    Entrypoint,
    /// <summary>No app command: Entrypoint and Cmd are what ContainerEntrypoint(Args) and the default arguments say.</summary>
    None,
}

/// <summary>
/// What the project says about the image's command line, in the SDK's model: the app command (the binary and the
/// arguments it always needs), default arguments a <c>docker run</c> may replace, the deprecated
/// <c>ContainerEntrypoint</c>/<c>ContainerEntrypointArgs</c>, and how they combine.
/// </summary>
public sealed record AppCommandSettings
{
    /// <summary>ContainerAppCommand, or SlimImageEntrypoint; empty: <c>/app/&lt;AssemblyName&gt;</c>, except with
    /// <see cref="AppCommandInstruction.None"/>, where it stays empty (the SDK sets no default then either).</summary>
    public IReadOnlyList<string> AppCommand { get; init; } = [];
    public IReadOnlyList<string> AppCommandArgs { get; init; } = [];
    /// <summary>ContainerDefaultArgs or SlimImageCommand: Cmd.</summary>
    public IReadOnlyList<string> DefaultArgs { get; init; } = [];
    public IReadOnlyList<string> Entrypoint { get; init; } = [];
    public IReadOnlyList<string> EntrypointArgs { get; init; } = [];
    public AppCommandInstruction Instruction { get; init; } = AppCommandInstruction.Unset;

    public static AppCommandInstruction ParseInstruction(string? value) => value?.Trim() switch
    {
        null or "" => AppCommandInstruction.Unset,
        var v when v.Equals("DefaultArgs", StringComparison.OrdinalIgnoreCase) => AppCommandInstruction.DefaultArgs,
        var v when v.Equals("Entrypoint", StringComparison.OrdinalIgnoreCase) => AppCommandInstruction.Entrypoint,
        var v when v.Equals("None", StringComparison.OrdinalIgnoreCase) => AppCommandInstruction.None,
        var v => throw new SlimException("SLIM1056", v),
    };
}

/// <summary>
/// Composes Entrypoint and Cmd from <see cref="AppCommandSettings"/> by the rules of the SDK's container support
/// (dotnet/sdk <c>ImageBuilder.DetermineEntrypointAndCmd</c>), so a project moving from PublishContainer gets the
/// same command line. Pure: the base's Entrypoint is an input, conflicts are SLIM errors.
/// </summary>
public static class AppCommandComposer
{
    /// <summary>Microsoft's images set <c>ENTRYPOINT ["dotnet"]</c> for framework-dependent apps: never an app's.</summary>
    public static bool IsDotnet(IReadOnlyList<string> entrypoint) => entrypoint is ["dotnet"] or ["/usr/bin/dotnet"];

    /// <param name="settings">The project's settings; <see cref="AppCommandSettings.AppCommand"/> already defaulted.</param>
    /// <param name="baseEntrypoint">The base image's Entrypoint (empty for scratch).</param>
    /// <returns>Entrypoint and Cmd; an empty Entrypoint leaves the base's in place.</returns>
    public static (IReadOnlyList<string> Entrypoint, IReadOnlyList<string> Cmd) Compose(AppCommandSettings settings, IReadOnlyList<string> baseEntrypoint)
    {
        var entrypoint = settings.Entrypoint;
        var entrypointArgs = settings.EntrypointArgs;
        var cmd = settings.DefaultArgs;
        var appCommand = settings.AppCommand;
        var appCommandArgs = settings.AppCommandArgs;
        var instruction = settings.Instruction;
        var setsEntrypoint = entrypoint.Count > 0 || entrypointArgs.Count > 0;

        if (IsDotnet(baseEntrypoint))
            baseEntrypoint = [];

        if (instruction == AppCommandInstruction.Unset)
        {
            if (!setsEntrypoint)
                instruction = AppCommandInstruction.Entrypoint;
            else if (cmd.Count == 0 && appCommandArgs.Count == 0 && entrypoint.Count == 0)
            {
                // Before the app command existed, ContainerEntrypointArgs alone were the arguments of the app.
                (entrypoint, appCommand, cmd, entrypointArgs) = (appCommand, [], entrypointArgs, []);
                instruction = AppCommandInstruction.None;
            }
            else
                instruction = AppCommandInstruction.DefaultArgs;
        }

        if (entrypointArgs.Count > 0 && entrypoint.Count == 0)
            throw new SlimException("SLIM1052");
        if (appCommandArgs.Count > 0 && appCommand.Count == 0)
            throw new SlimException("SLIM1053");

        switch (instruction)
        {
            case AppCommandInstruction.None when appCommand.Count > 0 || appCommandArgs.Count > 0:
                throw new SlimException("SLIM1054");
            case AppCommandInstruction.None:
                break;
            case AppCommandInstruction.DefaultArgs:
                cmd = [.. appCommand, .. appCommandArgs, .. cmd];
                break;
            case AppCommandInstruction.Entrypoint when setsEntrypoint:
                throw new SlimException("SLIM1055");
            case AppCommandInstruction.Entrypoint:
                (entrypoint, entrypointArgs) = (appCommand, appCommandArgs);
                break;
        }
        return (entrypoint.Count > 0 ? [.. entrypoint, .. entrypointArgs] : baseEntrypoint, cmd);
    }
}
