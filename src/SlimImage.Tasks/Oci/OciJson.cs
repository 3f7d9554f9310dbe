using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace SlimImage.Oci;

/// <summary>
/// The one way SlimImage writes JSON that gets hashed: no indentation, properties in the order the code writes them,
/// and relaxed escaping so "+gzip" stays "+gzip" rather than "\u002Bgzip" (same meaning, but easier to diff with
/// what docker and skopeo write).
/// </summary>
internal static class OciJson
{
    private static readonly JsonWriterOptions Options = new()
    {
        Indented = false,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static byte[] Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, Options))
            write(writer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>RFC 3339 in UTC with whole seconds, e.g. "1970-01-01T00:00:00Z" (what SOURCE_DATE_EPOCH can express).</summary>
    public static string Rfc3339(DateTimeOffset time) =>
        DateTimeOffset.FromUnixTimeSeconds(time.ToUnixTimeSeconds()).UtcDateTime
            .ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>A descriptor object; annotations are written sorted by key.</summary>
    public static void WriteDescriptor(Utf8JsonWriter w, Descriptor d,
        IEnumerable<KeyValuePair<string, string>>? annotations = null)
    {
        w.WriteStartObject();
        w.WriteString("mediaType", d.MediaType);
        w.WriteString("digest", d.Digest.ToString());
        w.WriteNumber("size", d.Size);
        var sorted = annotations?.OrderBy(a => a.Key, StringComparer.Ordinal).ToList();
        if (sorted is { Count: > 0 })
        {
            w.WriteStartObject("annotations");
            foreach (var (key, value) in sorted) w.WriteString(key, value);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    public static void WriteStrings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }
}
