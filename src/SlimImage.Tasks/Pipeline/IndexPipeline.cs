using SlimImage.Diagnostics;
using SlimImage.Platforms;
using SlimImage.Registry;

namespace SlimImage.Pipeline;

/// <summary>
/// The entry points of multi-platform images: the check of the platforms before any publish, the join of images
/// already in a registry into one index (<c>PublishSlimImageIndex</c>), and the index of the platform images one
/// publish built.
/// </summary>
public static class IndexPipeline
{
    /// <summary>SlimImageRuntimeIdentifiers checked (SLIM53xx), each platform with its sysroot.</summary>
    public static IReadOnlyList<PlatformTarget> CheckPlatforms(PlatformsRequest request) => PlatformCheck.Check(request);

    /// <summary>Checks the request (SLIM1008, SLIM1009, SLIM15xx, SLIM53xx) before any request to the registry, then joins.</summary>
    public static IndexPushResult Join(IndexJoinRequest request, Action<SlimDiagnostic> report, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Registry)) throw new SlimException("SLIM5317", "SlimImageRegistry");
        if (request.Sources.Count == 0) throw new SlimException("SLIM5317", "SlimImageIndexSources");
        if (!RegistryHost.IsValid(request.Registry)) throw new SlimException("SLIM1501", request.Registry);
        RequestValidator.ValidateRepository(request.Repository);
        foreach (var tag in request.Tags) RequestValidator.ValidateTag(tag);
        var sources = request.Sources.Select(s => IndexSource.Parse(s, request.Registry, request.Repository)).ToList();
        return IndexPusher.Join(sources, request.Registry, request.Repository, request.Tags, request.Registries, report, ct);
    }
}
