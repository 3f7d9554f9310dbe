using SlimImage.Base;
using SlimImage.Sbom;
using SlimImage.Oci;

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
}
