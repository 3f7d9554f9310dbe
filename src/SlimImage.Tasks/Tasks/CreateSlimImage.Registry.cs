using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using SlimImage.Output;
using SlimImage.Pipeline;
using SlimImage.Registry;

namespace SlimImage.Tasks;

public sealed partial class CreateSlimImage
{
    private RegistrySettings ReadRegistrySettings()
    {
        var registry = NullIfEmpty(Registry);
        var baseRegistry = string.Equals(Base?.Trim(), "scratch", StringComparison.OrdinalIgnoreCase) ? null : ImageReference.TryParse(Base ?? "")?.Registry;
        return RegistrySettingsReader.Read(registry ?? baseRegistry, InsecureRegistries, CacheDirectory, Report);
    }

    private static ITaskItem[] ToPushedItems(ImageResult result) => result.Published.OfType<RegistryPublication>()
        .SelectMany(p => p.Push.Tags.Select(tag =>
        {
            var item = new TaskItem(tag.Reference);
            item.SetMetadata("ManifestDigest", tag.ManifestDigest.ToString());
            item.SetMetadata("DigestReference", tag.DigestReference);
            item.SetMetadata("Registry", p.Push.Registry);
            item.SetMetadata("Repository", p.Push.Repository);
            item.SetMetadata("Tag", tag.Tag);
            return (ITaskItem)item;
        })).ToArray();
}
