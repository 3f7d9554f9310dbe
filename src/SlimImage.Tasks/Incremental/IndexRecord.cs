using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using SlimImage.FileSystem;

namespace SlimImage.Incremental;

/// <summary>
/// What the last multi-platform archive was made from: a fingerprint of its inputs (each platform archive's path,
/// size and mtime, which an inner publish with nothing changed leaves alone, and every setting) and the archive's
/// sha256 and identity. The same inputs and an untouched archive mean nothing to write.
/// </summary>
public sealed record IndexRecord(string Fingerprint, string ArchivePath, string ArchiveDigest, string ArchiveIdentity, string IndexDigest)
{
    public const string FileName = "last-index.txt";

    /// <summary>The fingerprint of <paramref name="parts"/> (settings) and the stamps of <paramref name="files"/>.</summary>
    public static string FingerprintOf(IEnumerable<string> parts, IEnumerable<string> files)
    {
        var text = new StringBuilder();
        foreach (var part in parts) text.Append(part.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(part).Append(';');
        foreach (var file in files)
        {
            var stamp = FileStamp.Of(file);
            text.Append(CultureInfo.InvariantCulture, $"{stamp.Path.Length}:{stamp.Path};{stamp.Size};{stamp.Ticks};");
        }
        text.Append(typeof(IndexRecord).Assembly.ManifestModule.ModuleVersionId);
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()))).ToLowerInvariant();
    }

    public static IndexRecord? Read(string path)
    {
        try
        {
            var lines = File.ReadAllLines(path);
            return lines.Length == 5 ? new IndexRecord(lines[0], lines[1], lines[2], lines[3], lines[4]) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public void Write(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllLines(path, [Fingerprint, ArchivePath, ArchiveDigest, ArchiveIdentity, IndexDigest]);
    }

    /// <summary>Whether the archive at <see cref="ArchivePath"/> is still the one written (same identity, else same sha256).</summary>
    public bool ArchiveIsIntact()
    {
        if (!File.Exists(ArchivePath)) return false;
        if (ArchiveIdentity.Length > 0 && FileIdentity.Of(ArchivePath) == ArchiveIdentity) return true;
        return UpToDate.Sha256(ArchivePath) == ArchiveDigest;
    }
}
