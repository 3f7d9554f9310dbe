using SlimImage.Diagnostics;
using SlimImage.Entries;

namespace SlimImage.Publish;

/// <summary>What the publish folder holds, split into what goes into the image and what an earlier publish left there.</summary>
/// <param name="Files">Every file of the folder this publish wrote, plus listed items the folder lacks, sorted by relative path.</param>
/// <param name="NotWritten">Relative paths of files present in the folder that this publish did not write, sorted; left out.</param>
public sealed record PublishFolderContents(IReadOnlyList<PublishFile> Files, IReadOnlyList<string> NotWritten);

/// <summary>
/// The publish folder is the truth: every file the publish wrote under PublishDir goes into the image, whether or not a
/// <c>ResolvedFileToPublish</c> item lists it (a single-file bundle, static web assets and their endpoint manifest,
/// what a package's targets copy there). The items still say what each file is (package, asset type).
/// </summary>
/// <remarks>
/// "Written by this publish" is what MSBuild recorded (FileWrites, the SDK's list of publish outputs, the bundle, the
/// NativeAOT binary), never modification times: a file the publish left untouched because it was up to date is as
/// much this publish's as one it copied, and a stale file can be newer than the publish start after a checkout.
/// A file merely present (an earlier publish with another configuration, a hand copy) is left out and named.
/// </remarks>
public static class PublishFolder
{
    /// <summary>
    /// Reads <paramref name="publishDirectory"/> (never following links, so it cannot leave the folder or loop) and
    /// merges it with the items. <paramref name="written"/> holds absolute paths; those outside the folder are ignored.
    /// <paramref name="skip"/> are absolute paths that are SlimImage's own output (an archive written into the folder).
    /// </summary>
    public static PublishFolderContents Read(string publishDirectory, IReadOnlyList<PublishFile> items,
        IEnumerable<string> written, IEnumerable<string>? skip = null)
    {
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(publishDirectory));
        var byPath = new Dictionary<string, PublishFile>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            var relative = CheckedRelative(item.RelativePath, item.HostPath);
            byPath.TryAdd(relative, item with { RelativePath = relative });
        }
        var writes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in written)
            if (RelativeTo(root, path) is { } relative)
                writes.Add(relative);
        var skipped = new HashSet<string>((skip ?? []).Select(p => Path.GetFullPath(p)), StringComparer.Ordinal);

        var files = new List<PublishFile>();
        var notWritten = new List<string>();
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var host in Enumerate(root))
        {
            if (skipped.Contains(host) || IsScratch(host, skipped))
                continue;
            var relative = Path.GetRelativePath(root, host).Replace('\\', '/');
            present.Add(relative);
            if (byPath.TryGetValue(relative, out var item))
                files.Add(item with { HostPath = host });
            else if (writes.Contains(relative))
                files.Add(new PublishFile(host, relative, EntryOrigin.App));
            else
                notWritten.Add(relative);
        }
        // An item the folder lacks (a publish that copies nothing, a file of obj/) still goes in from where it is.
        files.AddRange(byPath.Values.Where(f => !present.Contains(f.RelativePath)));
        files.Sort((a, b) => string.CompareOrdinal(a.RelativePath, b.RelativePath));
        notWritten.Sort(StringComparer.Ordinal);
        return new PublishFolderContents(files, notWritten);
    }

    /// <summary>
    /// A project item's RelativePath is untrusted: one that is absolute or climbs out of the folder would put a file
    /// anywhere in the image (over /etc/passwd, say). SLIM1031 names it.
    /// </summary>
    public static string CheckedRelative(string relativePath, string hostPath)
    {
        var relative = relativePath.Replace('\\', '/');
        var parts = relative.Split('/');
        if (relative.Length == 0 || relative.StartsWith('/') || relative.EndsWith('/')
            || parts.Any(p => p is ".." or "." or "") || relative.Any(char.IsControl))
            throw new SlimException("SLIM1031", hostPath, relativePath);
        return relative;
    }

    private static IEnumerable<string> Enumerate(string root)
    {
        if (!Directory.Exists(root))
            return [];
        // Links are skipped both as files and as folders: what they point to is not part of this publish.
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = false,
            ReturnSpecialDirectories = false,
        };
        return Directory.EnumerateFiles(root, "*", options);
    }

    // The pipeline's temporary folder sits next to the archive: when the archive is in the publish folder, so is it.
    private static bool IsScratch(string host, HashSet<string> skipped) =>
        skipped.Count > 0 && host.Split('/').Any(p => p.StartsWith(".slimimage-", StringComparison.Ordinal))
        && skipped.Any(s => host.StartsWith(Path.GetDirectoryName(s) + "/", StringComparison.Ordinal));

    private static string? RelativeTo(string root, string path)
    {
        if (string.IsNullOrWhiteSpace(path))
            return null;
        var full = Path.GetFullPath(path.Trim());
        return full.StartsWith(root + "/", StringComparison.Ordinal) ? full[(root.Length + 1)..] : null;
    }
}
