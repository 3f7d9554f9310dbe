using System.Globalization;
using SlimImage.Diagnostics;
using SlimImage.FileSystem;
using SlimImage.Entries;

namespace SlimImage.Rootfs;

/// <summary>A host file that the image lets more users read (or run) than the build machine does.</summary>
public sealed record WidenedMode(string ImagePath, string HostPath, int HostMode, int ImageMode, bool FromItem);

/// <summary>
/// Names the files whose mode the plan widens. The planner gives every host file 0644, or 0755 when any execute bit
/// is set (<see cref="RootfsPlanner.ModeOf"/>): files in the image belong to root and the app runs as another user
/// (1654), so they must be readable by others, and the build machine's umask must not change the archive's bytes.
/// A file the build machine keeps from other users (0640, 0600) therefore becomes readable by everyone: SLIM1104
/// warns for SlimImageFile items (a project item can name /etc/shadow), SLIM1105 tells of the rest (publish output
/// and libraries, e.g. a build with umask 077).
/// </summary>
public static class HostModes
{
    private const int GroupAndOther = 0b000_111_111;
    private const int Listed = 20;

    /// <summary>The host files among <paramref name="entries"/> whose image mode grants group or others more.</summary>
    public static IReadOnlyList<WidenedMode> Widened(IEnumerable<RootfsEntry> entries)
    {
        var widened = new List<WidenedMode>();
        foreach (var e in entries)
        {
            if (e.Kind != EntryKind.File || e.SourcePath == null) continue;
            var host = HostFile.PermissionsOf(e.SourcePath);
            if (host >= 0 && (e.Mode & ~host & GroupAndOther) != 0)
                widened.Add(new WidenedMode(e.Path, e.SourcePath, host, e.Mode, e.Reason == UserFiles.Reason));
        }
        return widened;
    }

    /// <summary>SLIM1104 (warning) for SlimImageFile content, SLIM1105 (message) for the other files; nothing if none.</summary>
    public static void Report(IEnumerable<RootfsEntry> entries, Action<SlimDiagnostic> report)
    {
        var widened = Widened(entries);
        var items = widened.Where(w => w.FromItem).ToList();
        var others = widened.Where(w => !w.FromItem).ToList();
        if (items.Count > 0) report(SlimDiagnostic.Warning("SLIM1104", List(items)));
        if (others.Count > 0) report(SlimDiagnostic.Info("SLIM1105", List(others)));
    }

    private static string List(IReadOnlyList<WidenedMode> files)
    {
        var named = files.Take(Listed).Select(w => w.ImagePath == w.HostPath
            ? $"{w.HostPath} ({Octal(w.HostMode)} -> {Octal(w.ImageMode)})"
            : $"{w.HostPath} as {w.ImagePath} ({Octal(w.HostMode)} -> {Octal(w.ImageMode)})");
        var text = string.Join(", ", named);
        return files.Count > Listed ? text + string.Create(CultureInfo.InvariantCulture, $" and {files.Count - Listed} more") : text;
    }

    private static string Octal(int mode) => "0" + Convert.ToString(mode, 8).PadLeft(3, '0');
}
