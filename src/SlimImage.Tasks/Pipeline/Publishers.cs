using SlimImage.Output;
using SlimImage.Registry;

namespace SlimImage.Pipeline;

/// <summary>
/// The publishers a request asks for: the archive unless only a push was asked for (SlimImageRegistry without
/// SlimImageArchiveOutputPath), then the registry when SlimImageRegistry is set. The archive goes first, so a push
/// that fails still leaves the image on disk.
/// </summary>
public static class Publishers
{
    public static IReadOnlyList<IImagePublisher> For(ImageRequest request)
    {
        var list = new List<IImagePublisher>();
        if (request.WriteArchive || request.Registry == null)
            list.Add(new ArchivePublisher(request.ArchivePath, request.Repository, request.Tags, request.Timestamp));
        if (request.Registry != null)
            list.Add(new RegistryPublisher(request.Registry, request.Repository, request.Tags, request.Registries));
        return list;
    }
}
