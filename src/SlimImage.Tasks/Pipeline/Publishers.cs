using SlimImage.Daemon;
using SlimImage.Diagnostics;
using SlimImage.Oci;
using SlimImage.Output;
using SlimImage.Registry;

namespace SlimImage.Pipeline;

/// <summary>
/// Where a built image goes, as ko's <c>publish.Interface</c> (tarball, layout and registry are three publishers):
/// the pipeline builds once and hands the same <see cref="BuiltImage"/> to each publisher in turn. The publishers
/// live here, not in their stages, so that Output, Daemon and Registry never know one another.
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
public sealed record RegistryPublication(PushResult Push) : Publication(Push.ManifestDigest);

/// <summary>An image loaded into the local docker or podman.</summary>
public sealed record DaemonPublication(Digest Digest, LoadResult Load) : Publication(Digest);

/// <summary>Writes the OCI layout + docker-archive tar (<see cref="ImageArchive"/>).</summary>
public sealed class ArchivePublisher(string path, string repository, IReadOnlyList<string> tags, DateTimeOffset timestamp) : IImagePublisher
{
    public Publication Publish(BuiltImage image, Action<SlimDiagnostic> report, CancellationToken ct) =>
        new ArchivePublication(ImageArchive.Write(path, image, repository, tags, timestamp, ct));
}

/// <summary>Loads the archive the <see cref="ArchivePublisher"/> wrote before it (<c>SlimImageLoad</c>).</summary>
public sealed class DaemonPublisher(string archivePath, LoadTarget target, Func<string, string?> environment) : IImagePublisher
{
    public Publication Publish(BuiltImage image, Action<SlimDiagnostic> report, CancellationToken ct) =>
        new DaemonPublication(image.Manifest.Digest, DaemonLoader.LoadArchive(archivePath, target, environment, report, ct));
}

/// <summary>Pushes the image to <c>registry/repository</c> with each tag (<see cref="ImagePusher"/>).</summary>
public sealed class RegistryPublisher(string registry, string repository, IReadOnlyList<string> tags, RegistrySettings settings) : IImagePublisher
{
    public Publication Publish(BuiltImage image, Action<SlimDiagnostic> report, CancellationToken ct) =>
        new RegistryPublication(ImagePusher.Push(image, registry, repository, tags, settings, report, ct));
}

/// <summary>
/// The publishers a request asks for: the archive unless only a push was asked for (SlimImageRegistry without
/// SlimImageArchiveOutputPath and without SlimImageLoad), then the local daemon when SlimImageLoad is set (it loads
/// that archive), then the registry when SlimImageRegistry is set. The archive goes first, so a load or push that
/// fails still leaves the image on disk.
/// </summary>
public static class Publishers
{
    public static IReadOnlyList<IImagePublisher> For(ImageRequest request)
    {
        var list = new List<IImagePublisher>();
        if (request.WriteArchive || request.Registry == null || request.Load != null)
            list.Add(new ArchivePublisher(request.ArchivePath, request.Repository, request.Tags, request.Timestamp));
        if (request.Load != null)
            list.Add(new DaemonPublisher(request.ArchivePath, request.Load, request.ClientEnvironment));
        if (request.Registry != null)
            list.Add(new RegistryPublisher(request.Registry, request.Repository, request.Tags, request.Registries));
        return list;
    }

    /// <summary>
    /// <c>-t:PublishContainer</c> into the local daemon: loads an archive already written, with <c>SlimImageLoad</c>
    /// (empty: detect), <c>LocalRegistry</c> and <c>SlimImageLoadTimeout</c> as <see cref="LoadTarget.Parse"/> reads them.
    /// </summary>
    public static void LoadArchive(string archive, string? load, string? localRegistry, string? timeout, Func<string, string?> environment,
        Action<SlimDiagnostic> report, CancellationToken ct)
    {
        if (LoadTarget.Parse(string.IsNullOrWhiteSpace(load) ? "true" : load, localRegistry, timeout) is { } target)
            DaemonLoader.LoadArchive(Path.GetFullPath(archive), target, environment, report, ct);
    }
}
