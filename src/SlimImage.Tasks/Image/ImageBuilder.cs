using System.Text.Json;
using SlimImage.Oci;

namespace SlimImage.Image;

/// <summary>
/// Builds the config and manifest of an image from scratch (go-containerregistry's <c>empty.Image</c> plus
/// <c>mutate.AppendLayers</c>/<c>mutate.ConfigFile</c> in one pure function): same inputs, same bytes.
/// </summary>
public static class ImageBuilder
{
    /// <summary>Builds the image whose layers are <paramref name="layers"/>, bottom first, with the media types of
    /// <paramref name="format"/> (OCI when null). The config's bytes are the same in either format.</summary>
    public static BuiltImage Build(ImageConfig config, IReadOnlyList<LayerBlob> layers, ImageFormat? format = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(layers);
        format ??= ImageFormat.Oci;
        var historyLayers = config.BaseHistory.Count(h => !h.EmptyLayer) + config.History.Count;
        if ((config.History.Count != 0 || config.BaseHistory.Count != 0) && historyLayers != layers.Count)
            throw new ArgumentException(
                $"History has {historyLayers} entries for {layers.Count} layers; give one per layer or none.", nameof(config));
        var configBytes = ConfigJson(config, layers);
        var configDescriptor = Descriptor.Of(format.ConfigMediaType, configBytes);
        var manifestBytes = OciJson.Write(w =>
        {
            // image-spec manifest.md: schemaVersion 2 and, since 1.0.2, mediaType SHOULD be set; Docker's
            // manifest-v2-2.md has the same fields in the same order, with its own media types.
            w.WriteStartObject();
            w.WriteNumber("schemaVersion", 2);
            w.WriteString("mediaType", format.ManifestMediaType);
            w.WritePropertyName("config");
            OciJson.WriteDescriptor(w, configDescriptor);
            w.WriteStartArray("layers");
            foreach (var layer in layers) OciJson.WriteDescriptor(w, format.LayerDescriptor(layer));
            w.WriteEndArray();
            w.WriteEndObject();
        });
        return new BuiltImage(configBytes, manifestBytes, layers.ToArray()) { Format = format };
    }

    private static byte[] ConfigJson(ImageConfig c, IReadOnlyList<LayerBlob> layers) => OciJson.Write(w =>
    {
        var created = OciJson.Rfc3339(c.Created);
        w.WriteStartObject();
        w.WriteString("created", created);
        w.WriteString("architecture", c.Architecture);
        w.WriteString("os", c.Os);
        if (!string.IsNullOrEmpty(c.Variant)) w.WriteString("variant", c.Variant);

        // config.md "config": the runtime defaults; absent fields mean the runtime's own defaults.
        w.WriteStartObject("config");
        if (!string.IsNullOrEmpty(c.User)) w.WriteString("User", c.User);
        var ports = c.ExposedPorts.Distinct(StringComparer.Ordinal).OrderBy(p => p, StringComparer.Ordinal).ToList();
        if (ports.Count > 0)
        {
            // A set encoded as an object whose values are empty objects.
            w.WriteStartObject("ExposedPorts");
            foreach (var p in ports)
            {
                w.WriteStartObject(p);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        if (c.Env.Count > 0) OciJson.WriteStrings(w, "Env", c.Env);
        if (c.Entrypoint.Count > 0) OciJson.WriteStrings(w, "Entrypoint", c.Entrypoint);
        if (c.Cmd is { Count: > 0 }) OciJson.WriteStrings(w, "Cmd", c.Cmd);
        if (!string.IsNullOrEmpty(c.WorkingDir)) w.WriteString("WorkingDir", c.WorkingDir);
        if (c.Labels.Count > 0)
        {
            w.WriteStartObject("Labels");
            foreach (var (key, value) in c.Labels.OrderBy(l => l.Key, StringComparer.Ordinal)) w.WriteString(key, value);
            w.WriteEndObject();
        }
        foreach (var (name, json) in c.ExtraConfig.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            w.WritePropertyName(name);
            w.WriteRawValue(json);
        }
        w.WriteEndObject();

        w.WriteStartObject("rootfs");
        w.WriteString("type", "layers");
        OciJson.WriteStrings(w, "diff_ids", layers.Select(l => l.DiffId.ToString()));
        w.WriteEndObject();

        if (c.History.Count > 0 || c.BaseHistory.Count > 0)
        {
            w.WriteStartArray("history");
            foreach (var entry in c.BaseHistory) w.WriteRawValue(entry.Json);
            foreach (var createdBy in c.History)
            {
                w.WriteStartObject();
                w.WriteString("created", created);
                w.WriteString("created_by", createdBy);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        w.WriteEndObject();
    });
}
