using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using SlimImage.Diagnostics;
using SlimImage.Pipeline;

namespace SlimImage.Tasks;

/// <summary>
/// Checks <c>SlimImageRuntimeIdentifiers</c> before any publish of a multi-platform image (SLIM53xx) and gives one item
/// per platform, with the sysroot its libraries come from, for the inner publishes.
/// </summary>
public sealed class CheckSlimImagePlatforms : Microsoft.Build.Utilities.Task
{
    /// <summary><c>SlimImageRuntimeIdentifiers</c>, e.g. <c>linux-x64;linux-arm64</c>.</summary>
    [Required]
    public string RuntimeIdentifiers { get; set; } = "";

    /// <summary>The project's folder: relative sysroots are relative to it.</summary>
    [Required]
    public string ProjectDirectory { get; set; } = "";

    /// <summary>True when the project asked for a framework-dependent publish (SelfContained=false), which no platform can run.</summary>
    public bool FrameworkDependentRequested { get; set; }

    /// <summary><c>SlimImageSysroot</c>: the sysroot of every RID that has none of its own; empty for /.</summary>
    public string? Sysroot { get; set; }

    /// <summary>Items <c>SlimImageSysroot</c>: <c>Include</c> = a runtime identifier, <c>Path</c> = its sysroot,
    /// e.g. <c>&lt;SlimImageSysroot Include="linux-musl-x64" Path="/srv/alpine" /&gt;</c>.</summary>
    public ITaskItem[] Sysroots { get; set; } = [];

    /// <summary>PublishAot: NativeAOT binaries need no C++ runtime in the sysroot.</summary>
    public bool PublishAot { get; set; }

    /// <summary>One item per platform, in the order given: <c>Include</c> = the RID, metadata <c>Sysroot</c> (full path).</summary>
    [Output]
    public ITaskItem[] Platforms { get; private set; } = [];

    public override bool Execute()
    {
        try
        {
            var sysroots = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var item in Sysroots)
                sysroots[item.ItemSpec.Trim()] = FullPath(item.GetMetadata("Path"));
            Platforms = IndexPipeline.CheckPlatforms(RuntimeIdentifiers, FullPath(Sysroot), sysroots, PublishAot, FrameworkDependentRequested).Select(p =>
            {
                var item = new TaskItem(p.RuntimeIdentifier);
                item.SetMetadata("RuntimeIdentifier", p.RuntimeIdentifier);
                item.SetMetadata("Sysroot", p.Sysroot);
                return (ITaskItem)item;
            }).ToArray();
            return true;
        }
        catch (SlimException e)
        {
            Log.LogError(null, e.Code, null, null, 0, 0, 0, 0, e.Text);
            return false;
        }
    }

    private string FullPath(string? path) => string.IsNullOrWhiteSpace(path) ? "/" : Path.GetFullPath(path.Trim(), ProjectDirectory);
}
