using System.Text;
using SlimImage.Entries;

namespace SlimImage.Rootfs;

/// <summary>
/// The few files of /etc a .NET app needs in an image with no distribution in it. The user table follows
/// Microsoft's chiseled images: root and <c>app</c> (uid/gid 1654, home /home/app).
/// </summary>
public static class EtcFiles
{
    public const int AppUid = 1654;
    public const string AppUser = "app";

    /// <summary>The users the image's /etc/passwd holds, by name and uid.</summary>
    public static readonly IReadOnlyList<(string Name, int Uid, int Gid)> Users =
        [("root", 0, 0), (AppUser, AppUid, AppUid)];

    public static IEnumerable<RootfsEntry> Entries()
    {
        // Environment.UserName calls getpwuid_r: without /etc/passwd a scratch image crashes there.
        yield return RootfsEntry.Generated("/etc/passwd", Encoding.ASCII.GetBytes(
            "root:x:0:0:root:/root:/bin/false\n" +
            $"{AppUser}:x:{AppUid}:{AppUid}:{AppUser}:/home/{AppUser}:/bin/false\n"));
        yield return RootfsEntry.Generated("/etc/group", Encoding.ASCII.GetBytes(
            "root:x:0:\n" +
            $"{AppUser}:x:{AppUid}:\n"));
        // glibc's files and dns back ends are built into libc since 2.34, so naming them loads no NSS module;
        // without this file glibc would try modules the image does not have.
        yield return RootfsEntry.Generated("/etc/nsswitch.conf", Encoding.ASCII.GetBytes(
            "passwd: files\ngroup: files\nshadow: files\nhosts: files dns\nnetworks: files\n" +
            "protocols: files\nservices: files\nethers: files\nrpc: files\n"));
        // The diagnostics IPC socket and Path.GetTempPath() need a writable /tmp.
        yield return RootfsEntry.Dir("/tmp", 0b1_111_111_111);
        yield return RootfsEntry.Dir("/home", 0b111_101_101);
        yield return RootfsEntry.Dir($"/home/{AppUser}", 0b111_101_101, AppUid, AppUid);
        yield return RootfsEntry.Dir("/root", 0b111_000_000);
    }

    /// <summary>
    /// Resolves a config User ("1654", "app", "app:app", "1654:1654") against the image's tables, as runc does,
    /// so that a name the image cannot resolve is an error at build time rather than at container start.
    /// </summary>
    public static bool CanResolve(string user, out string known)
    {
        known = string.Join(", ", Users.Select(u => $"{u.Name} ({u.Uid})"));
        var parts = user.Split(':');
        if (parts.Length > 2 || parts.Any(p => p.Length == 0))
            return false;
        return parts.All(p => p.All(char.IsAsciiDigit) || Users.Any(u => u.Name == p));
    }
}
