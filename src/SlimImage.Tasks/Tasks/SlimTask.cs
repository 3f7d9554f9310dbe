using Microsoft.Build.Framework;
using SlimImage.Diagnostics;

namespace SlimImage.Tasks;

/// <summary>
/// What the image tasks share on the MSBuild side: SLIM diagnostics go to the build log (warnings as warnings, details
/// at normal verbosity), any failure is one error line with its SLIM code (never MSB4018 and a stack trace), and a
/// cancelled build says what was left undone.
/// </summary>
public abstract class SlimTask : Microsoft.Build.Utilities.Task, ICancelableTask
{
    private readonly CancellationTokenSource _cancel = new();

    public void Cancel() => _cancel.Cancel();

    /// <summary>What a cancelled run leaves undone, e.g. <c>no archive was written.</c></summary>
    protected abstract string WhenCancelled { get; }

    /// <summary>True: an I/O failure no stage named is SLIM1098 (its message only) rather than SLIM1099.</summary>
    protected virtual bool NamesIoFailures => false;

    /// <summary>The task's work; errors are thrown as <see cref="SlimException"/>, diagnostics go to <see cref="Report"/>.</summary>
    protected abstract void Run(CancellationToken ct);

    public sealed override bool Execute()
    {
        try
        {
            Run(_cancel.Token);
            return !Log.HasLoggedErrors;
        }
        catch (SlimException e)
        {
            Log.LogError(null, e.Code, null, null, 0, 0, 0, 0, e.Text);
            return false;
        }
        catch (OperationCanceledException) when (_cancel.IsCancellationRequested)
        {
            Log.LogMessage(MessageImportance.High, "SlimImage: cancelled; " + WhenCancelled);
            return false;
        }
        catch (Exception e) when (NamesIoFailures && e is IOException or UnauthorizedAccessException)
        {
            Log.LogError(null, "SLIM1098", null, null, 0, 0, 0, 0, Messages.StripCode(Messages.Format("SLIM1098", e.Message)));
            return false;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Log.LogError(null, "SLIM1099", null, null, 0, 0, 0, 0, Messages.StripCode(Messages.Format("SLIM1099", e.GetType().Name, e.Message)));
            Log.LogMessage(MessageImportance.Low, e.ToString());
            return false;
        }
    }

    /// <summary>One diagnostic into the build log.</summary>
    protected void Report(SlimDiagnostic d)
    {
        if (d.Severity == SlimSeverity.Warning)
            Log.LogWarning(null, d.Code, null, null, 0, 0, 0, 0, d.Message);
        else
            Log.LogMessage(null, d.Code, null, null, 0, 0, 0, 0,
                d.Severity == SlimSeverity.Detail ? MessageImportance.Normal : MessageImportance.High, d.Message);
    }
}
