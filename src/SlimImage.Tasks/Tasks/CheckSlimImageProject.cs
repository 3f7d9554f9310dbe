using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using SlimImage.Diagnostics;
using SlimImage.Pipeline;

namespace SlimImage.Tasks;

/// <summary>
/// Decides, before any image work, whether this publish can become an image as it is, needs a second
/// self-contained publish for the build machine's runtime identifier, or is an error (a non-Linux RID, or a
/// framework-dependent publish the project asked for).
/// </summary>
public sealed class CheckSlimImageProject : Microsoft.Build.Utilities.Task
{
    /// <summary>The project's RuntimeIdentifier, e.g. <c>linux-x64</c>; empty when none was chosen.</summary>
    public string? RuntimeIdentifier { get; set; }

    /// <summary>The SDK's portable RID for this machine (<c>NETCoreSdkPortableRuntimeIdentifier</c>).</summary>
    [Required]
    public string SdkRuntimeIdentifier { get; set; } = "";

    /// <summary>The project's SelfContained value.</summary>
    public string? SelfContained { get; set; }

    /// <summary>The SDK's <c>_SelfContainedWasSpecified</c>: true when the project or command line set SelfContained.</summary>
    public string? SelfContainedWasSpecified { get; set; }

    /// <summary>PublishAot: NativeAOT output is used as it is.</summary>
    public string? PublishAot { get; set; }

    /// <summary>True inside the second publish SlimImage started itself.</summary>
    public string? IsInnerPublish { get; set; }

    /// <summary>True when the image must come from a second, self-contained publish.</summary>
    [Output]
    public bool NeedsInnerPublish { get; private set; }

    /// <summary>The runtime identifier the image is built for.</summary>
    [Output]
    public string ImageRuntimeIdentifier { get; private set; } = "";

    public override bool Execute()
    {
        try
        {
            var decision = PublishCheck.Decide(new PublishCheck.Input(
                RuntimeIdentifier, SdkRuntimeIdentifier, IsTrue(SelfContained), IsTrue(SelfContainedWasSpecified),
                IsTrue(PublishAot), IsTrue(IsInnerPublish)));
            NeedsInnerPublish = decision.NeedsInnerPublish;
            ImageRuntimeIdentifier = decision.RuntimeIdentifier;
            if (decision.NeedsInnerPublish)
                Log.LogMessage(null, "SLIM1004", null, null, 0, 0, 0, 0, MessageImportance.High,
                    Messages.StripCode(Messages.Format("SLIM1004", decision.RuntimeIdentifier, decision.Why)));
            return true;
        }
        catch (SlimException e)
        {
            Log.LogError(null, e.Code, null, null, 0, 0, 0, 0, e.Text);
            return false;
        }
    }

    private static bool IsTrue(string? value) => string.Equals(value, "true", StringComparison.OrdinalIgnoreCase);
}
