using System.Security.Cryptography;
using SlimImage.Diagnostics;
using SlimImage.FileSystem;
using SlimImage.Oci;

namespace SlimImage.Incremental;

/// <summary>
/// Whether the archive of the last build still stands for the same inputs: the record's fingerprint and every
/// dependency's size and mtime match, and the archive has the sha256 it was written with (checked by its identity
/// first, by hashing it when that moved).
/// </summary>
public static class UpToDate
{
    public static bool IsCurrent(BuildRecord last, string fingerprint, string archivePath, string recordPath, Action<SlimDiagnostic> report)
    {
        // Cheapest first: the archive is only read when everything else says nothing changed and its identity moved.
        if (last.Fingerprint != fingerprint || last.Archive.Path != Path.GetFullPath(archivePath) || !last.Archive.IsCurrent()
            || !last.Dependencies.All(d => d.IsCurrent()))
            return false;
        var identity = FileIdentity.Of(last.Archive.Path);
        if (last.ArchiveIdentity.Length > 0 && identity == last.ArchiveIdentity) return true;
        var digest = Sha256(last.Archive.Path);
        if (digest == last.ArchiveDigest)
        {
            // The same bytes under a new identity (touched, copied back): the next check needs no hash again.
            try { (last with { ArchiveIdentity = identity ?? "" }).Write(recordPath); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            return true;
        }
        if (digest != null) report(SlimDiagnostic.Info("SLIM1403", last.Archive.Path, last.ArchiveDigest));
        return false;
    }

    /// <summary>The archive's sha256, or null when it cannot be read (e.g. a concurrent build renames it right now).</summary>
    internal static string? Sha256(string path)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
            return Digest.Sha256(SHA256.HashData(file)).ToString();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
