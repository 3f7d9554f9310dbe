using System.Security.Cryptography;

namespace SlimImage.Tests.Support;

/// <summary>
/// A folder of files a hostile input aims at (the names a traversal would reach: <c>victim</c>, <c>victim.tar</c>,
/// <c>victim.tar.gz</c>, …), remembered by content and mtime, so a test can assert that nothing in it was created,
/// changed or removed.
/// </summary>
public sealed class Sentinel
{
    private readonly Dictionary<string, (string Hash, DateTime Mtime)> _before;

    public Sentinel(string folder, params string[] names)
    {
        Folder = folder;
        Directory.CreateDirectory(folder);
        foreach (var name in names.Length > 0 ? names : ["victim", "victim.tar", "victim.tar.gz", "victim.tar.zst"])
        {
            var path = Path.Combine(folder, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, $"precious file {name}, must survive\n");
        }
        _before = Snapshot();
    }

    public string Folder { get; }

    public string PathOf(string name) => Path.Combine(Folder, name);

    /// <summary>Fails naming every file created, changed or removed since the sentinel was made.</summary>
    public void AssertUntouched()
    {
        var now = Snapshot();
        var created = now.Keys.Except(_before.Keys).Select(k => "created " + k);
        var removed = _before.Keys.Except(now.Keys).Select(k => "removed " + k);
        var changed = now.Keys.Intersect(_before.Keys).Where(k => now[k] != _before[k]).Select(k => "changed " + k);
        var all = created.Concat(removed).Concat(changed).ToList();
        Xunit.Assert.True(all.Count == 0, $"The sentinel folder {Folder} was touched: {string.Join(", ", all)}");
    }

    private Dictionary<string, (string, DateTime)> Snapshot() =>
        Directory.GetFileSystemEntries(Folder, "*", SearchOption.AllDirectories).ToDictionary(
            p => Path.GetRelativePath(Folder, p),
            p => File.Exists(p) ? (Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(p))), File.GetLastWriteTimeUtc(p)) : ("dir", default));
}
