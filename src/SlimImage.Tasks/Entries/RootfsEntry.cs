namespace SlimImage.Entries;

/// <summary>What an entry of the image's root filesystem is.</summary>
public enum EntryKind { Directory, File, Symlink }

/// <summary>
/// Where an entry comes from, which decides the layer it lands in (layers are split by rate of change):
/// the build machine, the .NET runtime part of the publish output, NuGet packages, or the app itself.
/// </summary>
public enum EntryOrigin { System, Runtime, Package, App }

/// <summary>
/// One path of the image: the rootfs plan is a list of these, and the layer writer turns them into tar entries
/// with nothing else added. <see cref="Path"/> is absolute in the image ("/app/hello"), normalised, without a
/// trailing slash. Content is either a host file (<see cref="SourcePath"/>) or bytes made by SlimImage
/// (<see cref="Content"/>, e.g. /etc/passwd).
/// </summary>
public sealed record RootfsEntry
{
    public required string Path { get; init; }
    public required EntryKind Kind { get; init; }
    /// <summary>Permission bits only (e.g. 0755); setuid/setgid are never set.</summary>
    public required int Mode { get; init; }
    public int Uid { get; init; }
    public int Gid { get; init; }
    public string? SourcePath { get; init; }
    public byte[]? Content { get; init; }
    public string? LinkTarget { get; init; }
    public EntryOrigin Origin { get; init; } = EntryOrigin.System;
    /// <summary>Why the entry is there ("needed by /app/libcoreclr.so"), for the summary and for debugging.</summary>
    public string? Reason { get; init; }
    /// <summary>For a file of the publish output, what ResolvedFileToPublish says it is (package, version, asset type).</summary>
    public PublishAsset? Asset { get; init; }

    public static RootfsEntry Dir(string path, int mode = 0b111_101_101, int uid = 0, int gid = 0) =>
        new() { Path = path, Kind = EntryKind.Directory, Mode = mode, Uid = uid, Gid = gid };

    public static RootfsEntry Link(string path, string target, EntryOrigin origin = EntryOrigin.System) =>
        new() { Path = path, Kind = EntryKind.Symlink, Mode = 0b111_111_111, LinkTarget = target, Origin = origin };

    public static RootfsEntry HostFile(string path, string source, int mode, EntryOrigin origin, string? reason = null) =>
        new() { Path = path, Kind = EntryKind.File, Mode = mode, SourcePath = source, Origin = origin, Reason = reason };

    public static RootfsEntry Generated(string path, byte[] content, int mode = 0b110_100_100) =>
        new() { Path = path, Kind = EntryKind.File, Mode = mode, Content = content, Origin = EntryOrigin.System };
}
