using SlimImage.Oci;

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
                // A damaged line is skipped: the repository goes into a mount request, so only valid names are kept.
                if (parts.Length == 2 && Digest.TryParse(parts[0], out var digest) && ImageReference.IsRepository(parts[1]))
                    Add(digest, parts[1]);
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

    /// <summary>
    /// host:port as a folder name ("127.0.0.1_5000", "[::1]_5000" → "__1__5000"): only letters, digits, '.', '-'
    /// and '_', never starting with '.', so never "." or ".." whatever the value.
    /// </summary>
    internal static string SafeName(string registry)
    {
        var name = new string(registry.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '_').ToArray());
        return name.Length == 0 || name[0] == '.' ? "_" + name : name;
    }
}
