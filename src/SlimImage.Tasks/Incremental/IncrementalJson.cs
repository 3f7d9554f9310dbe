using System.Text.Json.Serialization;
using SlimImage.Layers;

namespace SlimImage.Incremental;

/// <summary>
/// Source-generated JSON for the layer cache's entries: the reflection-based serializer spends tens of milliseconds
/// warming up on first use.
/// </summary>
[JsonSourceGenerationOptions(UseStringEnumConverter = true)]
[JsonSerializable(typeof(LayerCache.Entry))]
internal sealed partial class IncrementalJson : JsonSerializerContext;
