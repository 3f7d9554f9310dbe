using SlimImage.Diagnostics;
using SlimImage.Registry;
using SlimImage.Oci;

namespace SlimImage.Base;

/// <summary>
/// A base named by an image reference (<c>registry/repository:tag</c> or <c>@sha256:…</c>): pulled for the RID's
/// platform into the on-disk blob cache (every digest checked, usable offline afterwards), then reused byte for
/// byte like a base archive.
/// </summary>
internal static class RegistryBase
{
    public static BaseImage Pull(ImageReference reference, BaseOptions options, Platform platform, Action<SlimDiagnostic> report,
        CancellationToken ct)
    {
        var pulled = BasePuller.Pull(reference, platform, options.Registries, report, ct, options.MaxLayerSize);
        var name = pulled.DigestReference;
        var layers = pulled.Layers
            .Select(l => new BaseLayer(l.Descriptor with { MediaType = ImageArchiveReader.LayerMediaType(name, l.Descriptor) }, l.DiffId))
            .ToList();
        var cached = pulled.Layers.ToDictionary(l => l.Descriptor.Digest, l => l.CachePath);
        return new BaseImage(name, pulled.ConfigBytes, BaseConfig.Parse(pulled.ConfigBytes), layers, new CacheBlobSource(name, cached))
        {
            ManifestDigest = pulled.ManifestDigest,
            ImageName = reference.ToString(),
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
