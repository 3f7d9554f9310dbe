using SlimImage.Base;
using SlimImage.Layers;
using SlimImage.Rootfs;
using SlimImage.Runtime;

namespace SlimImage.Pipeline;

/// <summary>
/// Each stage's own small options record, built from the request: the only place that knows which stage reads which
/// of the request's settings (as jib's steps each take their own configuration).
/// </summary>
public static class StageOptions
{
    public static RuntimeRequest Runtime(ImageRequest request) => new()
    {
        Sysroot = request.Sysroot,
        InvariantGlobalization = request.InvariantGlobalization,
        OpenSsl = request.OpenSsl,
        CaCertificates = request.CaCertificates,
        Kerberos = request.Kerberos,
        TimeZoneData = request.TimeZoneData,
        Environment = request.Environment,
        UserPaths = request.Files.Select(f => f.DestinationPath).ToList(),
    };

    public static RootfsOptions Rootfs(ImageRequest request) => new(request.Sysroot, request.Files);

    public static BaseOptions Base(ImageRequest request) =>
        new(request.Sysroot, request.Timestamp, request.BaseLayerMaxSize, request.Registries) { FileChecksums = request.Sbom != null };

    /// <summary>The layers' settings; <paramref name="scratch"/> holds blobs when there is no layer cache.</summary>
    public static LayerOptions Layers(ImageRequest request, string scratch) => new(request.Timestamp, scratch, request.Compression);

    /// <summary>The layer cache folder under the project's obj/, or null without one.</summary>
    public static string? LayerCache(ImageRequest request) =>
        request.IntermediateDirectory == null ? null : Path.Combine(request.IntermediateDirectory, "layers");
}
