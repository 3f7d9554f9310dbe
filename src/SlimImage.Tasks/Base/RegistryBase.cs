using SlimImage.Diagnostics;
using SlimImage.Image;
using SlimImage.Pipeline;
using SlimImage.Registry;

namespace SlimImage.Base;

/// <summary>
/// A base named by an image reference (<c>registry/repository:tag</c> or <c>@sha256:…</c>): pulled for the RID's
/// platform into the on-disk blob cache (every digest checked, usable offline afterwards), then reused byte for
/// byte like a base archive.
/// </summary>
internal static class RegistryBase
{
    /// <summary>
    /// A value that names a file rather than an image: a path, or a tar name. A missing file must be SLIM1003, not
    /// a pull of <c>docker.io/library/base.tar</c>.
    /// </summary>
    public static bool LooksLikeFile(string value) =>
        value.StartsWith('/') || value.StartsWith("./", StringComparison.Ordinal) || value.StartsWith("../", StringComparison.Ordinal)
        || value.StartsWith('~') || value.EndsWith(".tar", StringComparison.OrdinalIgnoreCase)
        || value.EndsWith(".tar.gz", StringComparison.OrdinalIgnoreCase) || value.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase);

    public static BaseImage Pull(ImageReference reference, ImageRequest request, Platform platform, Action<SlimDiagnostic> report,
        CancellationToken ct)
    {
        var pulled = BasePuller.Pull(reference, platform, request.Registries, report, ct, request.BaseLayerMaxSize);
        var name = pulled.DigestReference;
        var layers = pulled.Layers
            .Select(l => new BaseLayer(l.Descriptor with { MediaType = ImageArchiveReader.LayerMediaType(name, l.Descriptor) }, l.DiffId))
            .ToList();
        var cached = pulled.Layers.ToDictionary(l => l.Descriptor.Digest, l => l.CachePath);
        return new BaseImage(name, pulled.ConfigBytes, BaseConfig.Parse(pulled.ConfigBytes), layers, new CacheBlobSource(name, cached))
        {
            ManifestDigest = pulled.ManifestDigest,
            ImageName = request.Base,
        };
    }

    /// <summary>Blobs already verified into the cache: opened read-only, never moved or deleted.</summary>
    private sealed class CacheBlobSource(string image, IReadOnlyDictionary<Digest, string> paths) : IBlobSource
    {
        public Stream Open(Digest digest) => paths.TryGetValue(digest, out var path)
            ? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read)
            : throw new SlimException("SLIM3503", image, digest, "not in the pulled image");

        public void Dispose() { }
    }
}
