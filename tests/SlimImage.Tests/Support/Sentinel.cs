using System.Security.Cryptography;
using Xunit;

namespace SlimImage.Tests.Support;

/// <summary>
/// A folder of files a hostile input aims at (the names a traversal would reach: <c>victim</c>, <c>victim.tar</c>,
/// <c>victim.tar.gz</c>, …, a nested file and a link), put where a careless extraction would write, so a test can
/// assert that nothing in it was created, changed or removed (names, kinds, sizes, mtimes, link targets, contents).
/// </summary>
public sealed class Sentinel
{
    private readonly IReadOnlyList<string> _before;

    public Sentinel(string folder, params string[] names)
    {
        Folder = folder;
        Directory.CreateDirectory(Path.Combine(folder, "sub"));
        foreach (var name in names.Length > 0 ? names : ["victim", "victim.tar", "victim.tar.gz", "victim.tar.zst", "sub/passwd"])
        {
            var path = Path.Combine(folder, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, $"precious file {name}, must survive\n");
        }
        File.CreateSymbolicLink(Path.Combine(folder, "link"), "victim");
        _before = State();
    }

    public string Folder { get; }

    public string PathOf(string name) => Path.Combine(Folder, name);

    /// <summary>Fails naming every entry created, changed or removed since the sentinel was made.</summary>
    public void AssertUntouched()
    {
        var now = State();
        var gone = _before.Except(now).Select(e => "was " + e);
        var come = now.Except(_before).Select(e => "is " + e);
        var all = gone.Concat(come).ToList();
        Assert.True(all.Count == 0, $"The sentinel folder {Folder} was touched: {string.Join(", ", all)}");
    }

    private List<string> State() =>
        new DirectoryInfo(Folder).EnumerateFileSystemInfos("*", SearchOption.AllDirectories)
            .Select(Describe).Order(StringComparer.Ordinal).ToList();

    private string Describe(FileSystemInfo info)
    {
        var name = Path.GetRelativePath(Folder, info.FullName);
        if (info.LinkTarget is { } target) return $"{name} -> {target}";
        if (info is DirectoryInfo) return $"{name}/ {info.LastWriteTimeUtc.Ticks}";
        var file = (FileInfo)info;
        return $"{name} {file.Length} {file.LastWriteTimeUtc.Ticks} {Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file.FullName)))}";
    }
}
