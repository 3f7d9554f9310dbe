using System.Globalization;
using SlimImage.Diagnostics;

namespace SlimImage.Smoke;

/// <summary>
/// The uid and gid a runtime gives the image's <c>User</c> (<c>1654</c>, <c>app</c>, <c>1654:1654</c>, <c>app:app</c>),
/// read from the unpacked image's own /etc/passwd and /etc/group as runc does: a number needs no entry (its group is
/// the entry's, else 0), a name must have one.
/// </summary>
internal static class ImageUser
{
    public static (int Uid, int Gid) Resolve(string? user, RootFolder root, string image)
    {
        if (string.IsNullOrEmpty(user)) return (0, 0);
        var colon = user.IndexOf(':');
        var (name, group) = colon < 0 ? (user, null) : (user[..colon], user[(colon + 1)..]);
        var passwd = Table(root, "/etc/passwd");
        int uid;
        int? gid = null;
        if (Number(name) is { } n)
        {
            uid = n;
            if (passwd.FirstOrDefault(r => r[2] == name) is { } row && Number(row[3]) is { } g) gid = g;
        }
        else if (passwd.FirstOrDefault(r => r[0] == name) is { } row && Number(row[2]) is { } u)
        {
            uid = u;
            gid = Number(row[3]);
        }
        else
        {
            throw new SlimException("SLIM5006", image, user, $"'{name}' is not in its /etc/passwd");
        }
        if (!string.IsNullOrEmpty(group))
        {
            if (Number(group) is { } g) gid = g;
            else if (Table(root, "/etc/group").FirstOrDefault(r => r[0] == group) is { } row && Number(row[2]) is { } gg) gid = gg;
            else throw new SlimException("SLIM5006", image, user, $"the group '{group}' is not in its /etc/group");
        }
        return (uid, gid ?? 0);
    }

    private static int? Number(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;

    private static List<string[]> Table(RootFolder root, string imagePath)
    {
        var host = root.Resolve(imagePath);
        if (host == null || !File.Exists(host) || new FileInfo(host).Length > 1 << 20) return [];
        return File.ReadAllLines(host).Select(l => l.Split(':')).Where(p => p.Length >= 4).ToList();
    }
}
