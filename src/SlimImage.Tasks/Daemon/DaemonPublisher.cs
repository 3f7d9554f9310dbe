using SlimImage.Diagnostics;
using SlimImage.Output;
using SlimImage.Oci;

namespace SlimImage.Daemon;

/// <summary>An image loaded into the local docker or podman.</summary>
public sealed record DaemonPublication(Digest Digest, LoadResult Load) : Publication(Digest);

/// <summary>Loads the archive the <see cref="ArchivePublisher"/> wrote before it (<c>SlimImageLoad</c>).</summary>
public sealed class DaemonPublisher(string archivePath, LoadTarget target, Func<string, string?> environment) : IImagePublisher
{
    public Publication Publish(BuiltImage image, Action<SlimDiagnostic> report, CancellationToken ct) =>
        new DaemonPublication(image.Manifest.Digest, LoadArchive(archivePath, target, environment, report, ct));

    /// <summary>Also what an up-to-date build does with the archive it kept: the daemon may have lost the image since.</summary>
    public static LoadResult LoadArchive(string archivePath, LoadTarget target, Func<string, string?> environment,
        Action<SlimDiagnostic> report, CancellationToken ct) =>
        DaemonLoader.Load(archivePath, CliLocator.Resolve(target.Cli, environment), target.Timeout, report, ct);
}
