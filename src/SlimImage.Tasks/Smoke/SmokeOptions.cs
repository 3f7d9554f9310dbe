namespace SlimImage.Smoke;

/// <summary>What the pipeline gives the smoke stage besides the image.</summary>
/// <param name="Settings">The SlimImageSmokeTest* properties.</param>
/// <param name="Scratch">The build's own scratch folder: the image is unpacked below it and removed afterwards.</param>
/// <param name="ArchivePath">The written archive, which a container runner loads; null when only pushed.</param>
/// <param name="HostArchitecture">The build machine's architecture in GOARCH spelling (<c>amd64</c>): other images run through qemu-user.</param>
public sealed record SmokeOptions(SmokeTestSettings Settings, string Scratch, string? ArchivePath, string HostArchitecture)
{
    /// <summary>The build machine's architecture, GOARCH spelling.</summary>
    public static string CurrentArchitecture() => System.Runtime.InteropServices.RuntimeInformation.OSArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.X64 => "amd64",
        System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
        System.Runtime.InteropServices.Architecture.Arm => "arm",
        System.Runtime.InteropServices.Architecture.X86 => "386",
        var other => other.ToString().ToLowerInvariant(),
    };
}
