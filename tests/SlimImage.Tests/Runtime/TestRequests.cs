using SlimImage.Pipeline;

namespace SlimImage.Tests.Runtime;

/// <summary>A minimal valid <see cref="ImageRequest"/> for tests of single stages.</summary>
internal static class TestRequests
{
    public static ImageRequest For(string root, string? sysroot = null) => new()
    {
        PublishDirectory = Path.Combine(root, "pub"),
        PublishFiles = [],
        RuntimeIdentifier = "linux-x64",
        AssemblyName = "App",
        ArchivePath = Path.Combine(root, "app.tar"),
        Repository = "app",
        InvariantGlobalization = true,
        Sysroot = sysroot ?? Path.Combine(root, "sys"),
    };
}
