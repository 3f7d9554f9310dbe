namespace SlimImage.Tests.Support;

/// <summary>A temporary folder for one test, deleted afterwards (layer and archive tests write real files).</summary>
internal sealed class ScratchDir : IDisposable
{
    public ScratchDir()
    {
        Path = Repo.NewTempDir("layers");
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <summary>Writes a file (creating its folder) and returns its full path.</summary>
    public string File(string relative, string content) => File(relative, System.Text.Encoding.UTF8.GetBytes(content));

    public string File(string relative, byte[] content)
    {
        var full = Combine(relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        System.IO.File.WriteAllBytes(full, content);
        return full;
    }

    /// <summary>Every file below the folder, relative, for "nothing was left behind" checks.</summary>
    public IReadOnlyList<string> AllFiles(string? under = null) =>
        Directory.Exists(under ?? Path)
            ? Directory.GetFiles(under ?? Path, "*", SearchOption.AllDirectories).Select(f => System.IO.Path.GetRelativePath(Path, f)).Order().ToList()
            : [];

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
    }
}
