using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using SlimImage.Pipeline;

namespace SlimImage.Tasks;

public sealed partial class CreateSlimImage
{
    private static ITaskItem[] ToPushedItems(ImageResult result) => result.Pushed.Select(tag =>
    {
        var item = new TaskItem(tag.Reference);
        item.SetMetadata("ManifestDigest", tag.ManifestDigest);
        item.SetMetadata("DigestReference", tag.DigestReference);
        item.SetMetadata("Registry", tag.Registry);
        item.SetMetadata("Repository", tag.Repository);
        item.SetMetadata("Tag", tag.Tag);
        return (ITaskItem)item;
    }).ToArray();
}
