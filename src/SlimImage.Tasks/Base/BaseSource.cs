using SlimImage.Diagnostics;
using SlimImage.Registry;

namespace SlimImage.Base;

/// <summary>
/// What <c>SlimImageBase</c> names, read once (<see cref="Parse"/>) with one set of rules: <c>scratch</c> (nothing),
/// <c>busybox</c> (a layer SlimImage writes from the build machine's busybox), an image archive on disk, or an image
/// reference to pull. Everything after the edge asks this value, never the string.
/// </summary>
public abstract record BaseSource
{
    private BaseSource() { }

    /// <summary>Nothing below the app: the default.</summary>
    public sealed record Scratch : BaseSource
    {
        public override string ToString() => "scratch";
    }

    /// <summary>busybox from <paramref name="BusyboxPath"/> (SlimImageBusyboxPath), or found in the sysroot when null.</summary>
    public sealed record Busybox(string? BusyboxPath) : BaseSource
    {
        public override string ToString() => "busybox";
    }

    /// <summary>An OCI or docker archive on disk, by its full path.</summary>
    public sealed record Archive(string Path) : BaseSource
    {
        public override string ToString() => Path;
    }

    /// <summary>An image in a registry.</summary>
    public sealed record Pull(ImageReference Reference) : BaseSource
    {
        public override string ToString() => Reference.ToString();
    }

    public static readonly BaseSource None = new Scratch();

    /// <summary>Whether the image gets SlimImage's own /etc files (scratch, busybox) rather than the base's.</summary>
    public bool HasOwnEtc => this is Scratch or Busybox;

    /// <summary>
    /// <paramref name="value"/>: empty or <c>scratch</c>, <c>busybox</c> (any case), the path of an existing file
    /// (relative to the current folder), or an image reference. A value that names a file which is not there is
    /// SLIM1003, never a pull of <c>docker.io/library/base.tar</c>.
    /// </summary>
    public static BaseSource Parse(string? value, string? busyboxPath = null)
    {
        var text = value?.Trim() ?? "";
        if (text.Length == 0 || text.Equals("scratch", StringComparison.OrdinalIgnoreCase)) return None;
        if (text.Equals("busybox", StringComparison.OrdinalIgnoreCase)) return new Busybox(string.IsNullOrWhiteSpace(busyboxPath) ? null : busyboxPath.Trim());
        var path = System.IO.Path.GetFullPath(text);
        if (File.Exists(path)) return new Archive(path);
        if (LooksLikeFile(text) || ImageReference.TryParse(text) is not { } reference)
            throw new SlimException("SLIM1003", text);
        return new Pull(reference);
    }

    /// <summary>A path, or a tar name: <c>/x</c>, <c>./x</c>, <c>../x</c>, <c>~/x</c>, <c>*.tar</c>, <c>*.tar.gz</c>, <c>*.tgz</c>.</summary>
    private static bool LooksLikeFile(string value) =>
        value.StartsWith('/') || value.StartsWith("./", StringComparison.Ordinal) || value.StartsWith("../", StringComparison.Ordinal)
        || value.StartsWith('~') || value.EndsWith(".tar", StringComparison.OrdinalIgnoreCase)
        || value.EndsWith(".tar.gz", StringComparison.OrdinalIgnoreCase) || value.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase);
}

/// <summary>What loading a base needs besides its source (<c>BaseLoader.Load</c>).</summary>
/// <param name="Sysroot">Where busybox is looked for.</param>
/// <param name="Timestamp">The history time of a busybox layer.</param>
/// <param name="MaxLayerSize">SlimImageBaseLayerMaxSize: how far one base layer may expand.</param>
/// <param name="Registries">Hosts, credentials and cache of a pull.</param>
public sealed record BaseOptions(string Sysroot, DateTimeOffset Timestamp, long MaxLayerSize, RegistrySettings Registries)
{
    /// <summary>Take the checksums of the base's files while its layers are read (for the SBOM, which lists every file).</summary>
    public bool FileChecksums { get; init; }
}
