using System.Globalization;
using SlimImage.Diagnostics;
using SlimImage.FileSystem;
using SlimImage.Entries;

namespace SlimImage.Rootfs;

/// <summary>
/// The entries of one <c>SlimImageFile</c> item, and its line in the summary. A project item is untrusted input (a
/// pull request can add one), so every path is lstat'ed before anything is done with it: regular files are copied,
/// folders walked (never through a link), symbolic links kept as links (following one could copy any file of the
/// build machine into the image); a named pipe, socket or device is an error, because opening it can block the
/// build for ever or never end.
/// </summary>
internal static class UserFiles
{
    /// <summary>The reason of every entry that comes from a SlimImageFile item.</summary>
    public const string Reason = "SlimImageFile";

    /// <summary>Reads at most this much of an empty-looking file to tell a /proc file from an empty one.</summary>
    private const int ProbeLimit = 1 << 20;

    public static (List<RootfsEntry> Entries, HostFileUse Use) Plan(ExtraFile extra)
    {
        var destination = SysrootPath.Normalize(extra.DestinationPath);
        var entries = new List<RootfsEntry>();
        // The item itself is followed when it is a link: it names what it wants on purpose.
        var type = HostFile.TargetTypeOf(extra.HostPath);
        if (type == HostFileType.Regular)
        {
            if (extra.DestinationPath.EndsWith('/'))
                destination = destination.TrimEnd('/') + "/" + Path.GetFileName(extra.HostPath);
            var size = new FileInfo(extra.HostPath).Length;
            CheckFixedSize(extra.HostPath, size);
            entries.Add(RootfsEntry.HostFile(destination, extra.HostPath, RootfsPlanner.ModeOf(extra.HostPath), EntryOrigin.App, Reason));
            return (entries, new HostFileUse(destination, extra.HostPath, size, Reason));
        }
        if (type != HostFileType.Directory)
            throw type == HostFileType.Missing
                ? new SlimException("SLIM1006", extra.HostPath)
                : new SlimException("SLIM1019", extra.HostPath, HostFile.Describe(type));

        entries.Add(RootfsEntry.Dir(destination));
        long total = 0;
        var files = 0;
        Walk(extra.HostPath, destination.TrimEnd('/'));
        var why = string.Create(CultureInfo.InvariantCulture, $"{Reason}, {files} file(s)");
        return (entries, new HostFileUse(destination, extra.HostPath, total, why));

        void Walk(string folder, string inImageFolder)
        {
            foreach (var path in Directory.EnumerateFileSystemEntries(folder).Order(StringComparer.Ordinal))
            {
                var inImage = inImageFolder + "/" + Path.GetFileName(path);
                switch (HostFile.TypeOf(path, out var size))
                {
                    case HostFileType.Symlink:
                        if (new FileInfo(path).LinkTarget is { } target)
                            entries.Add(RootfsEntry.Link(inImage, RootfsPlanner.SafeLinkTarget(inImage, target), EntryOrigin.App));
                        break;
                    case HostFileType.Directory:
                        entries.Add(RootfsEntry.Dir(inImage));
                        Walk(path, inImage);
                        break;
                    case HostFileType.Regular:
                        CheckFixedSize(path, size);
                        entries.Add(RootfsEntry.HostFile(inImage, path, RootfsPlanner.ModeOf(path), EntryOrigin.App, Reason));
                        total += size;
                        files++;
                        break;
                    case HostFileType.Missing:
                        break; // removed since the folder was listed: it is not part of the image
                    case var other:
                        throw new SlimException("SLIM1020", extra.HostPath, path, HostFile.Describe(other));
                }
            }
        }
    }

    /// <summary>
    /// A file the file system says is empty but that has content (/proc/self/status, most of /proc) is SLIM1022 here,
    /// while planning, rather than a confusing size mismatch while the layer is written. Reading an empty regular file
    /// costs one open; other sizes are checked when the layer is written (TarEntryWriter).
    /// </summary>
    private static void CheckFixedSize(string path, long size)
    {
        if (size != 0) return;
        long read;
        using (var stream = HostFile.OpenRead(path, "a SlimImageFile", bufferSize: 0))
        {
            var buffer = new byte[64 * 1024];
            read = 0;
            int n;
            while (read <= ProbeLimit && (n = stream.Read(buffer)) > 0)
                read += n;
        }
        if (read > 0)
            throw new SlimException("SLIM1022", path, 0,
                read > ProbeLimit ? "more than " + ProbeLimit.ToString(CultureInfo.InvariantCulture) : read.ToString(CultureInfo.InvariantCulture));
    }
}
