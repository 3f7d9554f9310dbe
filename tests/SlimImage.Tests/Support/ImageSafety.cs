using Xunit;

namespace SlimImage.Tests.Support;

/// <summary>What every image SlimImage writes must be, whatever the app: nothing unsafe in it.</summary>
public static class ImageSafety
{
    public static void AssertSafe(ArchiveView view)
    {
        foreach (var entry in view.Layers.SelectMany(l => l.Entries))
        {
            Assert.True((entry.Mode & 0b110_000_000_000) == 0, $"{entry.Path} has setuid/setgid ({entry.ModeOctal})");
            if (entry.Type != System.Formats.Tar.TarEntryType.SymbolicLink && entry.Path != "/tmp")
                Assert.True((entry.Mode & 0b000_000_010) == 0, $"{entry.Path} is world-writable ({entry.ModeOctal})");
            Assert.True(entry.Uid is 0 or 1654 && entry.Gid is 0 or 1654, $"{entry.Path} is owned by {entry.Uid}:{entry.Gid}");
            if (entry.LinkName is { } target && !target.StartsWith('/'))
            {
                var depth = entry.Path.Count(c => c == '/') - 1;
                var climbs = 0;
                foreach (var part in target.Split('/'))
                {
                    if (part == "..") climbs++;
                    else if (part is not ("" or ".")) climbs--;
                    Assert.True(climbs <= depth, $"{entry.Path} -> {target} climbs out of the image root");
                }
            }
        }
        Assert.Equal(0b1_111_111_111, view.Files["/tmp"].Mode);
    }
}
