namespace SlimImage.Rootfs;

/// <summary>A file or folder of the build machine that the user puts into the image (<c>SlimImageFile</c>).</summary>
public sealed record ExtraFile(string HostPath, string DestinationPath);

/// <summary>What the rootfs planner needs besides the stages' results: the sysroot host libraries keep the layout of,
/// and the user's own files.</summary>
public sealed record RootfsOptions(string Sysroot, IReadOnlyList<ExtraFile> Files)
{
    /// <summary>Where the publish output goes in the image.</summary>
    public const string AppDirectory = "/app";
}
