using SlimImage.Diagnostics;
using SlimImage.Output;
using SlimImage.Oci;

namespace SlimImage.Registry;

/// <summary>Pushes the image to <c>registry/repository</c> with each tag (<see cref="ImagePusher"/>).</summary>
public sealed class RegistryPublisher(string registry, string repository, IReadOnlyList<string> tags, RegistrySettings settings) : IImagePublisher
{
    public Publication Publish(BuiltImage image, Action<SlimDiagnostic> report, CancellationToken ct) =>
        new RegistryPublication(ImagePusher.Push(image, registry, repository, tags, settings, report, ct));
}
