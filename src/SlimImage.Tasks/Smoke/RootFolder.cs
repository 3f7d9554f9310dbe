namespace SlimImage.Smoke;

/// <summary>
/// Paths of the image inside the folder it is unpacked to, resolved as the kernel would inside a chroot: symbolic
/// links are followed from the image's root (an absolute target starts at the folder, <c>..</c> stops at it), at most
/// 40 of them. Whatever a layer or a link says, the result lies inside the folder: nothing is ever written, linked or
/// read outside it.
/// </summary>
internal sealed class RootFolder(string path)
{
    private const int MaxLinks = 40;

    public string Path { get; } = System.IO.Path.GetFullPath(path).TrimEnd('/');

    /// <summary>
    /// The host path of <paramref name="imagePath"/>, its links followed (the last one only with <paramref name="followLast"/>);
    /// a part that does not exist is taken as it is. Null when the links loop.
    /// </summary>
    public string? Resolve(string imagePath, bool followLast = true)
    {
        var parts = new Queue<string>(imagePath.Split('/', StringSplitOptions.RemoveEmptyEntries));
        var current = new List<string>();
        for (var hops = 0; parts.Count > 0;)
        {
            var part = parts.Dequeue();
            if (part == ".") continue;
            if (part == "..")
            {
                if (current.Count > 0) current.RemoveAt(current.Count - 1);
                continue;
            }
            current.Add(part);
            if (parts.Count == 0 && !followLast) break;
            var target = LinkTarget(Host(current));
            if (target == null) continue;
            if (++hops > MaxLinks) return null;
            current.RemoveAt(current.Count - 1);
            if (target.StartsWith('/')) current.Clear();
            parts = new Queue<string>(target.Split('/', StringSplitOptions.RemoveEmptyEntries).Concat(parts));
        }
        return Host(current);
    }

    /// <summary>The image path of a host path inside the folder: <c>/usr/lib/x.so</c>.</summary>
    public string ImagePath(string hostPath) => hostPath.Length <= Path.Length ? "/" : hostPath[Path.Length..];

    /// <summary>A link's target, or null when <paramref name="hostPath"/> is no symbolic link (or does not exist).</summary>
    public static string? LinkTarget(string hostPath)
    {
        try
        {
            return (File.GetAttributes(hostPath) & FileAttributes.ReparsePoint) != 0 ? new FileInfo(hostPath).LinkTarget : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Whether <paramref name="hostPath"/> exists as itself (a dangling link exists).</summary>
    public static bool Exists(string hostPath)
    {
        try
        {
            _ = File.GetAttributes(hostPath);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Removes a file, link or folder (with its content, never following a link).</summary>
    public static void Remove(string hostPath)
    {
        var attributes = File.GetAttributes(hostPath);
        if ((attributes & FileAttributes.Directory) != 0 && (attributes & FileAttributes.ReparsePoint) == 0)
            Directory.Delete(hostPath, recursive: true);
        else
            File.Delete(hostPath);
    }

    private string Host(List<string> parts) => parts.Count == 0 ? Path : Path + "/" + string.Join('/', parts);
}
