using System.Globalization;
using System.Text;

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

/// <summary>What the last successful build wrote, and from what (<c>obj/…/slimimage/last-build.txt</c>).</summary>
/// <param name="Fingerprint">Hash of the request and the publish files (<see cref="InputFingerprint"/>).</param>
/// <param name="Archive">The archive as written.</param>
/// <param name="ArchiveDigest">sha256 of the archive, taken while it was written (<c>sha256:…</c>).</param>
/// <param name="ArchiveIdentity">The archive's device, inode, size, mtime and ctime (<see cref="FileSystem.FileIdentity"/>);
/// empty when unknown.</param>
/// <param name="Dependencies">Every other host file and folder the image was made from.</param>
/// <param name="Repository">The rest: what the SlimImageArchive item says, given again when nothing is rebuilt.</param>
/// <param name="Tags">See <paramref name="Repository"/>.</param>
/// <param name="ManifestDigest">See <paramref name="Repository"/>.</param>
/// <param name="CompressedSize">See <paramref name="Repository"/>.</param>
/// <param name="UncompressedSize">See <paramref name="Repository"/>.</param>
/// <param name="LayerCount">See <paramref name="Repository"/>.</param>
public sealed record BuildRecord(string Fingerprint, FileStamp Archive, string ArchiveDigest, string ArchiveIdentity, IReadOnlyList<FileStamp> Dependencies,
    string Repository, IReadOnlyList<string> Tags, string ManifestDigest, long CompressedSize, long UncompressedSize, int LayerCount)
{
    private const string Header = "slimimage-build-record 2";

    // A few lines of text rather than JSON: read on every publish, and JSON's first use costs tens of milliseconds.
    // Any line not as written makes the whole record unusable, which only means building again. The last line is a
    // sha256 of all the others, so that a damaged record (a changed digest or size) is not taken for one: what it says
    // is given out as the SlimImageArchive item's metadata without building anything.
    public static BuildRecord? Read(string path)
    {
        try
        {
            if (!File.Exists(path)) return null;
            var text = File.ReadAllText(path);
            var last = text.LastIndexOf("check ", StringComparison.Ordinal);
            if (last < 0 || !text.EndsWith('\n') || text[(last + 6)..^1] != Checksum(text[..last])) return null;
            var lines = text[..last].Split('\n')[..^1];
            if (lines.Length < 7 || lines[0] != Header) return null;
            var fingerprint = Field(lines[1], "fingerprint");
            var archive = Stamp(Field(lines[2], "archive"));
            var archiveDigest = Field(lines[3], "archive-digest");
            var archiveIdentity = Field(lines[4], "archive-identity");
            var result = Field(lines[5], "result").Split(' ');
            var repository = Field(lines[6], "repository");
            var tags = lines.Skip(7).TakeWhile(l => l.StartsWith("tag ", StringComparison.Ordinal)).Select(l => l[4..]).ToList();
            var dependencies = lines.Skip(7 + tags.Count).Select(l => Stamp(Field(l, "dependency"))).ToList();
            if (result.Length != 4) return null;
            return new BuildRecord(fingerprint, archive, archiveDigest, archiveIdentity, dependencies, repository, tags, result[3],
                long.Parse(result[1], CultureInfo.InvariantCulture), long.Parse(result[2], CultureInfo.InvariantCulture),
                int.Parse(result[0], CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or OverflowException)
        {
            return null;
        }
    }

    public void Write(string path)
    {
        if (Tags.Any(t => t.Contains('\n')) || Dependencies.Any(d => d.Path.Contains('\n')) || Archive.Path.Contains('\n')
            || Repository.Contains('\n') || ArchiveDigest.Contains('\n') || ArchiveIdentity.Contains('\n'))
            return; // a name with a line break cannot be recorded: the next publish simply builds again
        var text = new StringBuilder();
        text.Append(Header).Append('\n');
        text.Append("fingerprint ").Append(Fingerprint).Append('\n');
        text.Append("archive ").Append(Format(Archive)).Append('\n');
        text.Append("archive-digest ").Append(ArchiveDigest).Append('\n');
        text.Append("archive-identity ").Append(ArchiveIdentity).Append('\n');
        text.Append(CultureInfo.InvariantCulture, $"result {LayerCount} {CompressedSize} {UncompressedSize} {ManifestDigest}\n");
        text.Append("repository ").Append(Repository).Append('\n');
        foreach (var tag in Tags) text.Append("tag ").Append(tag).Append('\n');
        foreach (var d in Dependencies) text.Append("dependency ").Append(Format(d)).Append('\n');
        var check = Checksum(text.ToString());
        text.Append("check ").Append(check).Append('\n');
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var temp = path + ".tmp";
        File.WriteAllText(temp, text.ToString());
        File.Move(temp, path, overwrite: true);
    }

    private static string Checksum(string text) =>
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(text))).ToLowerInvariant();

    private static string Field(string line, string name) =>
        line.StartsWith(name + " ", StringComparison.Ordinal) ? line[(name.Length + 1)..] : throw new FormatException(line);

    private static string Format(FileStamp s) => string.Create(CultureInfo.InvariantCulture, $"{s.Size} {s.Ticks} {s.Path}");

    private static FileStamp Stamp(string text)
    {
        var parts = text.Split(' ', 3);
        if (parts.Length != 3) throw new FormatException(text);
        return new FileStamp(parts[2], long.Parse(parts[0], CultureInfo.InvariantCulture), long.Parse(parts[1], CultureInfo.InvariantCulture));
    }
}
