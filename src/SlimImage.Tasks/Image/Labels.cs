using System.Globalization;
using SlimImage.Oci;

namespace SlimImage.Image;

/// <summary>What <see cref="Labels.Compose"/> needs: the project's settings, the build's timestamp, the base, the user's labels.</summary>
/// <param name="Settings">The generated labels the project asks for.</param>
/// <param name="Created">SOURCE_DATE_EPOCH (or the Unix epoch), so that a rebuild gives the same config.</param>
/// <param name="BaseName">The base as an image reference; null for scratch, busybox, or an archive that names no image.</param>
/// <param name="BaseDigest">The digest of the base's manifest; null when there is none (scratch, busybox, a docker-archive).</param>
/// <param name="UserLabels">ContainerLabel / SlimImageLabel items, in order: the last of a name wins, and over a generated label.</param>
public sealed record LabelOptions(LabelSettings Settings, DateTimeOffset Created, string? BaseName, Digest? BaseDigest,
    IReadOnlyList<KeyValuePair<string, string>> UserLabels);

/// <summary>
/// The image's labels: the SDK's generated ones (OCI pre-defined annotation keys, image-spec annotations.md, with the
/// SDK's <c>org.opencontainers.artifact.*</c> twins), then the user's.
/// </summary>
public static class Labels
{
    private const string Oci = "org.opencontainers.image.";

    public static IReadOnlyDictionary<string, string> Compose(LabelOptions options)
    {
        var s = options.Settings;
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        void Add(string name, string? value, params string[] keys)
        {
            if (value is { Length: > 0 } && !s.Off.Contains(name))
                foreach (var key in keys) labels[key] = value;
        }

        if (s.Generate)
        {
            // RFC 3339 in whole seconds: the value is SOURCE_DATE_EPOCH, which has no fraction (the SDK writes UtcNow).
            var created = options.Created.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
            Add("Created", created, Oci + "created", "org.opencontainers.artifact.created");
            Add("Description", s.Description, "org.opencontainers.artifact.description", Oci + "description");
            Add("Authors", s.Authors, Oci + "authors");
            Add("Url", s.Url, Oci + "url");
            Add("Documentation", s.Documentation, Oci + "documentation");
            Add("Version", s.Version, Oci + "version");
            Add("Vendor", s.Vendor, Oci + "vendor");
            Add("Licenses", s.Licenses, Oci + "licenses");
            Add("Title", s.Title, Oci + "title");
            Add("Source", s.Source, Oci + "source");
            Add("Revision", s.Revision, Oci + "revision");
            Add("BaseName", options.BaseName, Oci + "base.name");
            Add("BaseDigest", options.BaseDigest?.ToString(), Oci + "base.digest");
            if (s.RuntimeMajorMinor != null) labels["net.dot.runtime.majorminor"] = s.RuntimeMajorMinor;
            if (s.SdkVersion != null) labels["net.dot.sdk.version"] = s.SdkVersion;
        }
        foreach (var (name, value) in options.UserLabels)
            labels[name] = value;
        return labels;
    }
}
