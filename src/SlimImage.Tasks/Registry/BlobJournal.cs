using SlimImage.Image;

namespace SlimImage.Registry;

/// <summary>
/// Which repositories of a registry are known to hold which blob (pushed or pulled by SlimImage on this machine),
/// so that a push to another repository of the same registry can mount the blob instead of uploading it
/// (distribution-spec "Mounting a blob from another repository"). One text file per registry in the cache,
/// lines <c>sha256:… repository</c>, appended to; a stale line only costs one mount attempt that falls back to upload.
/// </summary>
internal sealed class BlobJournal
{
    private readonly string _path;
    private readonly Dictionary<Digest, List<string>> _known = [];

    public BlobJournal(string cacheDirectory, string registry)
    {
        _path = Path.Combine(cacheDirectory, "registries", SafeName(registry), "blobs.txt");
        try
        {
            if (!File.Exists(_path)) return;
            foreach (var line in File.ReadLines(_path))
            {
                var parts = line.Split(' ', 2, StringSplitOptions.TrimEntries);
                if (parts.Length == 2 && parts[0].StartsWith("sha256:", StringComparison.Ordinal))
                    Add(Digest.Parse(parts[0]), parts[1]);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* a hint file only */ }
    }

    /// <summary>Other repositories said to hold <paramref name="digest"/>, most recent first.</summary>
    public IEnumerable<string> RepositoriesWith(Digest digest, string except) =>
        _known.TryGetValue(digest, out var repos) ? Enumerable.Reverse(repos).Where(r => r != except) : [];

    public void Record(Digest digest, string repository)
    {
        if (_known.TryGetValue(digest, out var repos) && repos.Contains(repository)) return;
        Add(digest, repository);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
            File.AppendAllText(_path, $"{digest} {repository}\n");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* a hint file only */ }
    }

    private void Add(Digest digest, string repository)
    {
        if (!_known.TryGetValue(digest, out var repos)) _known[digest] = repos = [];
        if (!repos.Contains(repository)) repos.Add(repository);
    }

    /// <summary>host:port as a folder name ("127.0.0.1_5000", "[::1]_5000" → "__1__5000").</summary>
    internal static string SafeName(string registry) =>
        new(registry.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '_').ToArray());
}
