using SlimImage.Base;
using SlimImage.Sbom;
using SlimImage.Oci;
using SlimImage.Tar;

namespace SlimImage.Pipeline;

/// <summary>The SBOM stage's options, from the request (the one place that knows both).</summary>
internal static class SbomRequest
{
    public static SbomOptions Options(ImageRequest request, SbomFormat format, Platform platform, LoadedBase baseImage) =>
        new(format, request.AssemblyName, request.Repository, request.Timestamp, platform.Architecture)
        {
            AppVersion = request.AppVersion,
            SourceRepositoryUrl = request.SourceRepositoryUrl,
            SourceRevision = request.SourceRevision,
            Sysroot = request.Sysroot,
            PackageFolders = request.NuGetPackageFolders,
            BaseName = request.Base is BaseSource.Scratch ? null : baseImage.Name,
            BaseDigest = baseImage.ConfigDigest,
        };

    /// <summary>
    /// The base's files with their checksums: those of a pulled or loaded base as its layers were read, those of the
    /// busybox layer SlimImage writes as the layer writer took them (<paramref name="written"/>).
    /// </summary>
    public static IReadOnlyList<FileChecksum> BaseFiles(LoadedBase baseImage, IReadOnlyList<FileChecksum> written)
    {
        if (baseImage.OwnLayer.Count > 0)
        {
            var own = baseImage.OwnLayer.Where(e => e.Kind == Entries.EntryKind.File).Select(e => e.Path).ToHashSet(StringComparer.Ordinal);
            return written.Where(c => own.Contains(c.Path)).ToList();
        }
        return baseImage.Files.Entries.Where(e => e.Kind == Entries.EntryKind.File && e.Checksum != null).Select(e => e.Checksum!).ToList();
    }
}
