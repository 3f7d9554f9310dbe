using System.Text.Json;

namespace SlimImage.Incremental;

/// <summary>A file as last seen: enough to tell, without reading it, that it changed.</summary>
/// <param name="Path">Full path.</param>
/// <param name="Size">Bytes; -1 when the file did not exist.</param>
/// <param name="Ticks">Last write time (UTC ticks).</param>
public sealed record FileStamp(string Path, long Size, long Ticks)
{
    public static FileStamp Of(string path)
    {
        var info = new FileInfo(path);
        if (info.Exists) return new FileStamp(info.FullName, info.Length, info.LastWriteTimeUtc.Ticks);
        var dir = new DirectoryInfo(path);
        // A folder's mtime changes when an entry is added, removed or renamed in it.
        return dir.Exists ? new FileStamp(dir.FullName, 0, dir.LastWriteTimeUtc.Ticks) : new FileStamp(info.FullName, -1, 0);
    }

    public bool IsCurrent() => Of(Path) == this;
}

/// <summary>What the last successful build wrote, and from what (<c>obj/…/slimimage/last-build.json</c>).</summary>
/// <param name="Fingerprint">Hash of the request and the publish files (<see cref="InputFingerprint"/>).</param>
/// <param name="Archive">The archive as written.</param>
/// <param name="Dependencies">Every other host file and folder the image was made from.</param>
/// <param name="Repository">The rest: what the SlimImageArchive item says, given again when nothing is rebuilt.</param>
/// <param name="Tags">See <paramref name="Repository"/>.</param>
/// <param name="ManifestDigest">See <paramref name="Repository"/>.</param>
/// <param name="CompressedSize">See <paramref name="Repository"/>.</param>
/// <param name="UncompressedSize">See <paramref name="Repository"/>.</param>
/// <param name="LayerCount">See <paramref name="Repository"/>.</param>
public sealed record BuildRecord(string Fingerprint, FileStamp Archive, IReadOnlyList<FileStamp> Dependencies,
    string Repository, IReadOnlyList<string> Tags, string ManifestDigest, long CompressedSize, long UncompressedSize, int LayerCount)
{
    public static BuildRecord? Read(string path)
    {
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize(File.ReadAllBytes(path), IncrementalJson.Default.BuildRecord) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or NotSupportedException)
        {
            return null; // no usable record: build
        }
    }

    public void Write(string path)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var temp = path + ".tmp";
        File.WriteAllBytes(temp, JsonSerializer.SerializeToUtf8Bytes(this, IncrementalJson.Default.BuildRecord));
        File.Move(temp, path, overwrite: true);
    }
}
