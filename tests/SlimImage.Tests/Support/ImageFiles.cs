namespace SlimImage.Tests.Support;

/// <summary>Path look-ups in an image's merged file list, following its symbolic links as the kernel would.</summary>
public static class ImageFiles
{
    /// <summary>The entry <paramref name="path"/> leads to inside the image, or null.</summary>
    public static LayerEntry? Resolve(this IReadOnlyDictionary<string, LayerEntry> files, string path)
    {
        var parts = new Queue<string>(path.Split('/', StringSplitOptions.RemoveEmptyEntries));
        var current = new List<string>();
        for (var hops = 0; parts.Count > 0 && hops < 40;)
        {
            var part = parts.Dequeue();
            if (part == "..") { if (current.Count > 0) current.RemoveAt(current.Count - 1); continue; }
            if (part == ".") continue;
            current.Add(part);
            var at = "/" + string.Join('/', current);
            if (!files.TryGetValue(at, out var entry)) return null;
            if (entry.Type is System.Formats.Tar.TarEntryType.SymbolicLink)
            {
                hops++;
                current.RemoveAt(current.Count - 1);
                if (entry.LinkName!.StartsWith('/')) current.Clear();
                var rest = parts.ToList();
                parts = new Queue<string>(entry.LinkName.Split('/', StringSplitOptions.RemoveEmptyEntries).Concat(rest));
            }
        }
        return parts.Count == 0 && current.Count > 0 && files.TryGetValue("/" + string.Join('/', current), out var last) ? last : null;
    }
}
