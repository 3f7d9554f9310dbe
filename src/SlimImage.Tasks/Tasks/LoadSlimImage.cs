using Microsoft.Build.Framework;
using SlimImage.Pipeline;
using SlimImage.Diagnostics;

namespace SlimImage.Tasks;

/// <summary>
/// <c>-t:PublishContainer</c> with neither <c>ContainerRegistry</c> nor <c>ContainerArchiveOutputPath</c>: loads the
/// archive <c>PublishSlimImage</c> wrote into the local docker or podman, as the SDK's target would have.
/// </summary>
public sealed class LoadSlimImage : Microsoft.Build.Utilities.Task, ICancelableTask
{
    private readonly CancellationTokenSource _cancel = new();

    /// <summary>The archive, e.g. <c>bin/Release/net10.0/linux-x64/myapp.tar</c>.</summary>
    [Required] public string Archive { get; set; } = "";

    /// <summary>SlimImageLoad: <c>docker</c>, <c>podman</c> or <c>true</c> (the default here: detect).</summary>
    public string? Load { get; set; }

    /// <summary>LocalRegistry: <c>Docker</c> or <c>Podman</c>; empty to detect.</summary>
    public string? LocalRegistry { get; set; }

    /// <summary>SlimImageLoadTimeout in seconds, e.g. <c>600</c>.</summary>
    public string? LoadTimeout { get; set; }

    public void Cancel() => _cancel.Cancel();

    public override bool Execute()
    {
        try
        {
            Publishers.LoadArchive(Archive, Load, LocalRegistry, LoadTimeout, Environment.GetEnvironmentVariable, d =>
                    Log.LogMessage(null, d.Code, null, null, 0, 0, 0, 0,
                        d.Severity == SlimSeverity.Detail ? MessageImportance.Normal : MessageImportance.High, d.Message), _cancel.Token);
            return !Log.HasLoggedErrors;
        }
        catch (SlimException e)
        {
            Log.LogError(null, e.Code, null, null, 0, 0, 0, 0, e.Text);
            return false;
        }
        catch (OperationCanceledException) when (_cancel.IsCancellationRequested)
        {
            return false;
        }
    }
}
