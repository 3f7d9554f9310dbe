using System.Text.Json;

namespace SlimImage.Oci;

/// <summary>
/// One entry of a config's <c>history</c> taken from a base image, kept as the base wrote it (image-spec config.md:
/// <c>created</c>, <c>created_by</c>, <c>author</c>, <c>comment</c>, <c>empty_layer</c>), so that <c>docker history</c>
/// of the final image still tells how the base was made.
/// </summary>
/// <param name="Json">The entry as one compact JSON object.</param>
/// <param name="EmptyLayer">Its <c>empty_layer</c>: true when the step made no layer (ENV, LABEL, …).</param>
public sealed record HistoryEntry(string Json, bool EmptyLayer)
{
    /// <summary>An entry of a layer SlimImage made itself (e.g. the busybox layer).</summary>
    public static HistoryEntry Create(DateTimeOffset created, string createdBy) => new(
        System.Text.Encoding.UTF8.GetString(OciJson.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("created", OciJson.Rfc3339(created));
            w.WriteString("created_by", createdBy);
            w.WriteEndObject();
        })), false);

    /// <summary>A base's entry as it is, whatever fields it has.</summary>
    public static HistoryEntry From(JsonElement entry) => new(
        System.Text.Encoding.UTF8.GetString(OciJson.Write(entry.WriteTo)),
        entry.TryGetProperty("empty_layer", out var e) && e.ValueKind == JsonValueKind.True);
}
