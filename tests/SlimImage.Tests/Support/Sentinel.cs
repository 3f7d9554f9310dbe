using System.Security.Cryptography;
using Xunit;

namespace SlimImage.Tests.Support;

/// <summary>
/// A folder of files a hostile input must not touch: put it where a careless extraction would write (beside the
/// output folder), take its state before the build, and assert afterwards that every file and folder is as it was and
/// nothing was added (names, kinds, sizes, mtimes, link targets, contents).
/// </summary>
public sealed class Sentinel
{
    private readonly IReadOnlyList<string> before;

    public Sentinel(string path)
    {
        Path = path;
        Directory.CreateDirectory(System.IO.Path.Combine(path, "sub"));
        File.WriteAllText(System.IO.Path.Combine(path, "keep.txt"), "the build machine's own file\n");
        File.WriteAllText(System.IO.Path.Combine(path, "sub", "passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        File.CreateSymbolicLink(System.IO.Path.Combine(path, "link"), "keep.txt");
        before = State();
    }

    public string Path { get; }

    public void AssertUnchanged() => Assert.Equal(before, State());

    private List<string> State() =>
        new DirectoryInfo(Path).EnumerateFileSystemInfos("*", SearchOption.AllDirectories)
            .Select(Describe).Order(StringComparer.Ordinal).ToList();

    private string Describe(FileSystemInfo info)
    {
        var name = System.IO.Path.GetRelativePath(Path, info.FullName);
        if (info.LinkTarget is { } target) return $"{name} -> {target}";
        if (info is DirectoryInfo) return $"{name}/ {info.LastWriteTimeUtc.Ticks}";
        var file = (FileInfo)info;
        return $"{name} {file.Length} {file.LastWriteTimeUtc.Ticks} {Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file.FullName)))}";
    }
}
