using SlimImage.Diagnostics;
using SlimImage.Oci;

namespace SlimImage.Output;

/// <summary>
/// Where a built image goes, as ko's <c>publish.Interface</c> (tarball, layout and registry are three publishers):
/// the pipeline builds once and hands the same <see cref="BuiltImage"/> to each publisher in turn.
/// </summary>
public interface IImagePublisher
{
    Publication Publish(BuiltImage image, Action<SlimDiagnostic> report, CancellationToken ct);
}

/// <summary>What a publisher did; the manifest digest is the same for all of them.</summary>
public abstract record Publication(Digest ManifestDigest);

/// <summary>An archive written to disk.</summary>
public sealed record ArchivePublication(ArchiveResult Archive) : Publication(Archive.ManifestDigest);

/// <summary>An image pushed to a registry, one tag after the other.</summary>
public sealed record RegistryPublication(Registry.PushResult Push) : Publication(Push.ManifestDigest);

/// <summary>Writes the OCI layout + docker-archive tar (<see cref="ImageArchive"/>).</summary>
public sealed class ArchivePublisher(string path, string repository, IReadOnlyList<string> tags, DateTimeOffset timestamp) : IImagePublisher
{
    public Publication Publish(BuiltImage image, Action<SlimDiagnostic> report, CancellationToken ct) =>
        new ArchivePublication(ImageArchive.Write(path, image, repository, tags, timestamp, ct));
}
