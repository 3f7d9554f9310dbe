using System.Text;
using SlimImage.Diagnostics;
using SlimImage.FileSystem;
using SlimImage.Entries;

namespace SlimImage.Runtime;

/// <summary>
/// Data files the runtime reads that no ELF header names (the CA bundle, the zoneinfo database): the entries the
/// planner adds, and one line for the summary (<see cref="ImagePath"/>, <see cref="HostPath"/>, total size, why).
/// </summary>
public sealed record RuntimeDataSet(string ImagePath, string HostPath, IReadOnlyList<RootfsEntry> Entries, long Size, string Why);

/// <summary>Builds the <see cref="RuntimeDataSet"/>s from the sysroot.</summary>
public static class RuntimeData
{
    /// <summary>
    /// Where Debian's ca-certificates writes the bundle, and a path .NET reads: OpenSslCachedSystemStoreProvider adds
    /// /etc/ssl/certs to OpenSSL's default locations and loads every PEM file there (pal_x509_root.c).
    /// </summary>
    public const string CaBundlePath = "/etc/ssl/certs/ca-certificates.crt";

    /// <summary>TimeZoneInfo's default folder when TZDIR is unset (TimeZoneInfo.Unix.NonAndroid.cs).</summary>
    public const string ZoneInfoPath = "/usr/share/zoneinfo";

    /// <summary>
    /// The image's CA bundle: the sysroot's, then the certificates of each SlimImageCaCertificate file. A missing
    /// sysroot bundle is SLIM2101 (the image then trusts only the user's certificates).
    /// </summary>
    public static RuntimeDataSet CaBundle(string sysroot, IReadOnlyList<string> extraPemFiles, Action<SlimDiagnostic> report)
    {
        var content = new StringBuilder();
        var host = SysrootPath.Resolve(sysroot, CaBundlePath);
        if (host is { IsDirectory: false })
        {
            content.Append(HostFile.ReadAllText(host.HostPath, "CA bundle of the build machine"));
            if (content.Length > 0 && content[^1] != '\n') content.Append('\n');
        }
        else
        {
            report(SlimDiagnostic.Warning("SLIM2101", CaBundlePath, sysroot,
                extraPemFiles.Count == 0 ? "none" : string.Join(", ", extraPemFiles)));
        }
        foreach (var file in extraPemFiles)
            foreach (var block in RuntimeOptions.CertificateBlocks(HostFile.ReadAllText(file, "SlimImageCaCertificate")))
                content.Append(block);
        var bytes = Encoding.ASCII.GetBytes(content.ToString());
        var from = host?.HostPath ?? "(no bundle on the build machine)";
        if (extraPemFiles.Count > 0) from += " + " + string.Join(", ", extraPemFiles);
        var why = extraPemFiles.Count > 0 ? "CA bundle for OpenSSL, with SlimImageCaCertificate" : "CA bundle for OpenSSL";
        var entry = RootfsEntry.Generated(CaBundlePath, bytes) with { Reason = why };
        return new RuntimeDataSet(CaBundlePath, from, [entry], bytes.Length, why);
    }

    /// <summary>
    /// The zoneinfo database as TimeZoneInfo reads it: a TZif file per zone id, <c>zone.tab</c> for the list of ids
    /// (and the other *.tab files), alias links kept as links. Left out: the <c>right/</c> leap-second variants,
    /// which no .NET API lists, source and leap-second text files, and links that leave the folder
    /// (Debian's <c>localtime -> /etc/localtime</c>). Null when the sysroot has no zone.tab.
    /// </summary>
    public static RuntimeDataSet? ZoneInfo(string sysroot)
    {
        var root = SysrootPath.Resolve(sysroot, ZoneInfoPath);
        if (root is not { IsDirectory: true } || !File.Exists(Path.Combine(root.HostPath, "zone.tab")))
            return null;
        const string why = "time zone data (SlimImageTimeZoneData=true)";
        var entries = new List<RootfsEntry> { RootfsEntry.Dir(ZoneInfoPath) };
        var links = new HashSet<string>(StringComparer.Ordinal);
        long size = 0;
        foreach (var path in Directory.EnumerateFileSystemEntries(root.HostPath, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(root.HostPath, path).Replace('\\', '/');
            // What lies below a link (posix -> .) is the link's business, not entries of its own.
            if (relative == "right" || relative.StartsWith("right/", StringComparison.Ordinal) || IsBelow(links, relative)) continue;
            var inImage = ZoneInfoPath + "/" + relative;
            var info = new FileInfo(path);
            if (info.LinkTarget is { } target)
            {
                links.Add(relative);
                if (StaysInside(relative, target)) entries.Add(RootfsEntry.Link(inImage, target));
            }
            else if (Directory.Exists(path))
                entries.Add(RootfsEntry.Dir(inImage));
            else if (relative.EndsWith(".tab", StringComparison.Ordinal) || IsTzif(path))
            {
                entries.Add(RootfsEntry.HostFile(inImage, path, 0b110_100_100, EntryOrigin.System, why));
                size += info.Length;
            }
        }
        return new RuntimeDataSet(ZoneInfoPath, root.HostPath, entries, size, why);
    }

    /// <summary>A relative link target that stays inside the zoneinfo folder (an absolute one means the host's root).</summary>
    private static bool StaysInside(string relativeLink, string target)
    {
        if (target.StartsWith('/')) return target.StartsWith(ZoneInfoPath + "/", StringComparison.Ordinal);
        var depth = relativeLink.Count(c => c == '/');
        foreach (var part in target.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == "..") depth--;
            else if (part != ".") depth++;
            if (depth < 0) return false;
        }
        return true;
    }

    private static bool IsBelow(HashSet<string> links, string relative)
    {
        for (var slash = relative.LastIndexOf('/'); slash > 0; slash = relative.LastIndexOf('/', slash - 1))
            if (links.Contains(relative[..slash])) return true;
        return false;
    }

    private static bool IsTzif(string path)
    {
        try
        {
            using var stream = HostFile.OpenRead(path, "time zone data");
            Span<byte> magic = stackalloc byte[4];
            return stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false) == 4 && magic.SequenceEqual("TZif"u8);
        }
        catch (IOException)
        {
            return false;
        }
    }
}
