using SlimImage.FileSystem;
using SlimImage.Tar;
using System.Diagnostics;
using SlimImage.Diagnostics;
using SlimImage.Image;
using SlimImage.Layers;
using SlimImage.Rootfs;
using SlimImage.Oci;
using SlimImage.Entries;

namespace SlimImage.Sbom;

/// <summary>The SBOM of one image: its bytes, format, and the artifact manifest that attaches it to the image.</summary>
public sealed record SbomResult(byte[] Bytes, SbomFormat Format, Referrer Referrer);

/// <summary>
/// The SBOM stage: one document per image (one platform at a time), built after the image so that it can name the
/// image's manifest digest, which it describes and which its artifact manifest refers to.
/// </summary>
public static class SbomStage
{
    public static SbomResult Run(SbomOptions options, Descriptor manifest, IReadOnlyList<RootfsEntry> entries, HostPackages debian,
        IEnumerable<FileChecksum> checksums, IReadOnlyList<FileChecksum> baseFiles, Action<SlimDiagnostic> report)
    {
        var clock = Stopwatch.StartNew();
        var sums = new Dictionary<string, FileChecksum>(StringComparer.Ordinal);
        foreach (var c in checksums) sums.TryAdd(c.Path, c);
        var document = SbomBuilder.Build(options, manifest, entries, debian, sums, report, baseFiles);
        var bytes = options.Format == SbomFormat.Spdx ? SpdxWriter.Write(document) : CycloneDxWriter.Write(document);
        var referrer = Referrer.Create(options.Format.MediaType(), bytes, options.Format.MediaType(), manifest,
            "sbom" + options.Format.Extension(), options.Timestamp);
        report(SlimDiagnostic.Info("SLIM5104", options.Format == SbomFormat.Spdx ? "SPDX 2.3" : "CycloneDX 1.6", document.Packages.Count,
            document.Files.Count, ByteSize.Format(bytes.Length), clock.ElapsedMilliseconds));
        return new SbomResult(bytes, options.Format, referrer);
    }

    /// <summary>Where the SBOM of the archive <paramref name="archivePath"/> goes: <c>&lt;archive&gt;.spdx.json</c> or <c>.cdx.json</c>.</summary>
    public static string PathFor(string archivePath, SbomFormat format) => Path.GetFullPath(archivePath) + format.Extension();

    /// <summary>
    /// Writes the SBOM next to the archive (temp name, then renamed, so it appears whole), and removes the file of the
    /// other format a previous build left there, so that the folder never holds an SBOM of another image. With
    /// <paramref name="sbom"/> null (SlimImageSbom=false) both are removed. Returns the path written, or null.
    /// </summary>
    public static string? WriteBeside(string archivePath, SbomResult? sbom)
    {
        string? written = null;
        foreach (var format in new[] { SbomFormat.Spdx, SbomFormat.CycloneDx })
        {
            var path = PathFor(archivePath, format);
            if (sbom?.Format != format)
            {
                TempFiles.TryDelete(path); // a stale SBOM is named in no item
                continue;
            }
            var temp = Path.Combine(Path.GetDirectoryName(path)!, "." + Path.GetFileName(path) + "." + FileSystem.TempFiles.Owner() + ".tmp");
            try
            {
                File.WriteAllBytes(temp, sbom.Bytes);
                File.Move(temp, path, overwrite: true);
                written = path;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                TempFiles.TryDelete(temp);
                throw new SlimException(e, "SLIM5105", path, e.Message);
            }
        }
        return written;
    }
}
