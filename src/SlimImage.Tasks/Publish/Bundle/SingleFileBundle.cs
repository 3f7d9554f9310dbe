using System.Text.Json;
using System.Text.RegularExpressions;
using SlimImage.Entries;

namespace SlimImage.Publish.Bundle;

/// <summary>A native library embedded in a bundle, written out for the closure to read.</summary>
/// <param name="HostPath">Where SlimImage wrote it (below its own scratch folder).</param>
/// <param name="Name">How messages name it, e.g. <c>libe_sqlite3.so in the bundle MyApp</c>.</param>
/// <param name="Origin">From the bundle's deps.json: a NuGet package, the runtime pack, or the app.</param>
/// <param name="Package">"Id Version" of the package (or runtime pack) it came from, when deps.json says.</param>
/// <param name="EntryPath">Its path in the bundle (where the host extracts it, below the extraction folder).</param>
public sealed record BundledNative(string HostPath, string Name, EntryOrigin Origin, string? Package, string EntryPath);

/// <summary>A publish file that is a single-file bundle, with its manifest.</summary>
public sealed record SingleFileBundle(PublishFile File, BundleManifest Manifest)
{
    private static readonly Regex SharedLibraryName = new(@"\.so(\.|$)", RegexOptions.CultureInvariant);

    /// <summary>
    /// The bundles among the publish files. Only programs can be bundles (the apphost is one), so only ELF files not
    /// named like a shared library are looked into.
    /// </summary>
    public static IReadOnlyList<SingleFileBundle> Find(IEnumerable<PublishFile> files)
    {
        var bundles = new List<SingleFileBundle>();
        foreach (var file in files)
        {
            if (SharedLibraryName.IsMatch(Path.GetFileName(file.RelativePath)) || !StartsWithElfMagic(file.HostPath)) continue;
            if (BundleReader.TryRead(file.HostPath) is { } manifest)
                bundles.Add(new SingleFileBundle(file, manifest));
        }
        return bundles;
    }

    /// <summary>The embedded assemblies, in manifest order.</summary>
    public IEnumerable<BundleEntry> Assemblies => Manifest.Entries.Where(e => e.Type == BundleFileType.Assembly);

    /// <summary>
    /// Writes the embedded native libraries (IncludeNativeLibrariesForSelfExtract) below <paramref name="folder"/>, at
    /// their paths in the bundle, as the host extracts them next to each other (so $ORIGIN means the same).
    /// </summary>
    public IReadOnlyList<BundledNative> ExtractNatives(string folder)
    {
        var natives = Manifest.Entries.Where(e => e.Type == BundleFileType.NativeBinary).ToList();
        if (natives.Count == 0) return [];
        var origins = OriginsFromDepsJson();
        var result = new List<BundledNative>();
        foreach (var entry in natives)
        {
            // The path was checked (BundleReader): relative, no '..', so it stays inside the folder.
            var destination = Path.Combine(folder, entry.RelativePath);
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            BundleEntryReader.Extract(Manifest, entry, destination);
            var (origin, package) = origins.GetValueOrDefault(Path.GetFileName(entry.RelativePath), (EntryOrigin.App, null));
            result.Add(new BundledNative(destination, $"{entry.RelativePath} in the bundle {File.RelativePath}", origin, package, entry.RelativePath));
        }
        return result;
    }

    /// <summary>
    /// Which package each native file name came from, read from the embedded deps.json: <c>targets</c> lists each
    /// library's <c>native</c> assets, <c>libraries</c> its type (package, runtimepack, project). A deps.json that
    /// cannot be read just leaves every library as the app's own, which keeps every check strict.
    /// </summary>
    private Dictionary<string, (EntryOrigin, string?)> OriginsFromDepsJson()
    {
        var map = new Dictionary<string, (EntryOrigin, string?)>(StringComparer.Ordinal);
        var deps = Manifest.Entries.FirstOrDefault(e => e.Type == BundleFileType.DepsJson);
        if (deps == null || deps.Size > 64 << 20) return map;
        try
        {
            using var json = JsonDocument.Parse(BundleEntryReader.ReadAll(Manifest, deps), new JsonDocumentOptions { MaxDepth = 16 });
            var root = json.RootElement;
            if (!root.TryGetProperty("targets", out var targets) || !root.TryGetProperty("libraries", out var libraries)) return map;
            foreach (var target in targets.EnumerateObject())
                foreach (var library in target.Value.EnumerateObject())
                {
                    if (library.Value.ValueKind != JsonValueKind.Object || !library.Value.TryGetProperty("native", out var native)
                        || native.ValueKind != JsonValueKind.Object) continue;
                    var type = libraries.TryGetProperty(library.Name, out var info) && info.ValueKind == JsonValueKind.Object
                        && info.TryGetProperty("type", out var t) ? t.GetString() : null;
                    var origin = type switch { "package" => EntryOrigin.Package, "runtimepack" => EntryOrigin.Runtime, _ => EntryOrigin.App };
                    var package = origin == EntryOrigin.App ? null : library.Name.Replace('/', ' ');
                    foreach (var asset in native.EnumerateObject())
                        map.TryAdd(Path.GetFileName(asset.Name), (origin, package));
                }
        }
        catch (JsonException)
        {
            // See above: no origins, every embedded library is then treated as the app's own.
        }
        return map;
    }

    private static bool StartsWithElfMagic(string path)
    {
        try
        {
            using var stream = FileSystem.HostFile.OpenRead(path, "a publish file");
            Span<byte> magic = stackalloc byte[4];
            return stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false) == 4
                && magic[0] == 0x7f && magic[1] == (byte)'E' && magic[2] == (byte)'L' && magic[3] == (byte)'F';
        }
        catch (IOException)
        {
            return false;
        }
    }
}
