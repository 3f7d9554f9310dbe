using System.Text.Json.Serialization;
using SlimImage.Layers;
using SlimImage.Pipeline;

namespace SlimImage.Incremental;

/// <summary>
/// Source-generated JSON for the record of the last build, the request's fingerprint and the layer cache's entries.
/// The reflection-based serializer spends tens of milliseconds warming up on first use, which is most of a publish
/// with nothing to do.
/// </summary>
[JsonSourceGenerationOptions(UseStringEnumConverter = true)]
[JsonSerializable(typeof(ImageRequest))]
[JsonSerializable(typeof(List<FileStamp>))]
[JsonSerializable(typeof(BuildRecord))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(LayerCache.Entry))]
internal sealed partial class IncrementalJson : JsonSerializerContext;
