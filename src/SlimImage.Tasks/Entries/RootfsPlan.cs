namespace SlimImage.Entries;

/// <summary>A file of the build machine that went into the image, for the summary.</summary>
public sealed record HostFileUse(string ImagePath, string HostPath, long Size, string Why);

/// <summary>Every path of the image (sorted), and which host files it took.</summary>
public sealed record RootfsPlan(IReadOnlyList<RootfsEntry> Entries, IReadOnlyList<HostFileUse> HostFiles);
