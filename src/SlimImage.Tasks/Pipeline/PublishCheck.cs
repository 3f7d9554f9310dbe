using SlimImage.Diagnostics;

namespace SlimImage.Pipeline;

/// <summary>The rules of <c>CheckSlimImageProject</c>, without MSBuild.</summary>
public static class PublishCheck
{
    public sealed record Input(string? RuntimeIdentifier, string SdkRuntimeIdentifier, bool SelfContained,
        bool SelfContainedWasSpecified, bool PublishAot, bool IsInnerPublish);

    public sealed record Decision(string RuntimeIdentifier, bool NeedsInnerPublish, string Why);

    public static Decision Decide(Input input)
    {
        var rid = string.IsNullOrWhiteSpace(input.RuntimeIdentifier) ? null : input.RuntimeIdentifier.Trim();
        if (rid != null && !IsLinux(rid))
            throw new SlimException("SLIM1001", rid);
        if (rid == null && !IsLinux(input.SdkRuntimeIdentifier))
            throw new SlimException("SLIM1001", input.SdkRuntimeIdentifier);
        // The user asked for framework-dependent: a scratch image would have no runtime to run it with.
        if (!input.PublishAot && !input.SelfContained && input.SelfContainedWasSpecified)
            throw new SlimException("SLIM1002");
        if (input.IsInnerPublish)
            return new Decision(rid ?? input.SdkRuntimeIdentifier, false, "");
        if (rid == null)
            return new Decision(input.SdkRuntimeIdentifier, true, "made without a runtime identifier");
        if (!input.PublishAot && !input.SelfContained)
            return new Decision(rid, true, "framework-dependent by default");
        return new Decision(rid, false, "");
    }

    /// <summary>linux-x64, linux-arm64, linux-musl-x64, linux-bionic-arm64 … (portable RIDs since .NET 8).</summary>
    public static bool IsLinux(string rid) =>
        rid.StartsWith("linux-", StringComparison.OrdinalIgnoreCase) && rid.Length > "linux-".Length;
}
