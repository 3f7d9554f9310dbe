using SlimImage.Daemon;
using SlimImage.Output;
using SlimImage.Registry;

namespace SlimImage.Pipeline;

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
}
