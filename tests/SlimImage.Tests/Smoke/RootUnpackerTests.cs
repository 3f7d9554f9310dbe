using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using SlimImage.Oci;
using SlimImage.Smoke;
using SlimImage.Tests.Support;
using Xunit;

namespace SlimImage.Tests.Smoke;

/// <summary>
/// The smoke run's unpacking, with layers made here: whiteouts as a runtime applies them, and names and links that
/// try to leave the root landing inside it or nowhere.
/// </summary>
public class RootUnpackerTests
{
    [Fact]
    public void WhiteoutsApplyAndNoNameOrLinkLeadsOutOfTheRoot()
    {
        using var scratch = new ScratchDir();
        var lower = Layer(scratch, "lower", w =>
        {
            Dir(w, "etc/");
            File(w, "etc/passwd", "app:x:1654:1654::/home/app:/bin/false\n");
            Link(w, "evil", "/");
            Link(w, "up", "../../../..");
            Link(w, "dangling", "/nowhere");
            Link(w, "dangling-dir", "/nowhere/dir");
            File(w, "gone.txt", "old");
            Dir(w, "opq/");
            File(w, "opq/old.txt", "old");
        });
        var upper = Layer(scratch, "upper", w =>
        {
            File(w, "../escape.txt", "x");
            File(w, "/abs.txt", "abs");
            File(w, "evil/through-link.txt", "inside");
            File(w, "up/up.txt", "inside too");
            File(w, "dangling", "replaced");
            File(w, "dangling-dir/x", "through a dangling link");
            File(w, ".wh.gone.txt", "");
            File(w, "opq/.wh..wh..opq", "");
            File(w, "opq/new.txt", "new");
            w.WriteEntry(new PaxTarEntry(TarEntryType.HardLink, "hard") { LinkName = "/etc/passwd" });
            w.WriteEntry(new PaxTarEntry(TarEntryType.HardLink, "hard2") { LinkName = "../../etc/shadow" });
            w.WriteEntry(new PaxTarEntry(TarEntryType.CharacterDevice, "dev/null"));
        });
        var root = scratch.Combine("run", "root");

        var result = RootUnpacker.Unpack([lower, upper], root, CancellationToken.None);

        Assert.Equal(["root"], Directory.GetFileSystemEntries(scratch.Combine("run")).Select(Path.GetFileName));
        Assert.False(System.IO.File.Exists(scratch.Combine("run", "escape.txt")));
        Assert.Equal("abs", Read(root, "abs.txt"));
        Assert.Equal("inside", Read(root, "through-link.txt"));
        Assert.Equal("inside too", Read(root, "up.txt"));
        Assert.Equal("replaced", Read(root, "dangling"));
        Assert.Equal("through a dangling link", Read(root, "nowhere/dir/x"));
        Assert.False(System.IO.File.Exists(Path.Combine(root, "gone.txt")), "a whiteout deletes the lower file");
        Assert.False(System.IO.File.Exists(Path.Combine(root, ".wh.gone.txt")), "and is no file itself");
        Assert.Equal(["new.txt"], Directory.GetFileSystemEntries(Path.Combine(root, "opq")).Select(Path.GetFileName));
        Assert.Equal(Read(root, "etc/passwd"), Read(root, "hard"));
        Assert.False(System.IO.File.Exists(Path.Combine(root, "hard2")));
        Assert.Contains(result.Skipped, s => s.StartsWith("../escape.txt", StringComparison.Ordinal));
        Assert.Contains(result.Skipped, s => s.StartsWith("/hard2", StringComparison.Ordinal));
        Assert.Contains(result.Skipped, s => s.StartsWith("/dev/null", StringComparison.Ordinal));
        Assert.Equal("/", new FileInfo(Path.Combine(root, "evil")).LinkTarget);
    }

    [Fact]
    public void LinksAreResolvedInsideTheRootAsAChrootWould()
    {
        using var scratch = new ScratchDir();
        var root = scratch.Combine("root");
        Directory.CreateDirectory(Path.Combine(root, "usr", "lib"));
        System.IO.File.CreateSymbolicLink(Path.Combine(root, "lib"), "usr/lib");
        System.IO.File.CreateSymbolicLink(Path.Combine(root, "loop"), "loop");
        System.IO.File.CreateSymbolicLink(Path.Combine(root, "host"), "/../../etc");
        var folder = new RootFolder(root);
        Assert.Equal(Path.Combine(root, "usr", "lib", "x.so"), folder.Resolve("/lib/x.so"));
        Assert.Equal(Path.Combine(root, "etc", "passwd"), folder.Resolve("/host/passwd"));
        Assert.Equal(Path.Combine(root, "lib"), folder.Resolve("/lib", followLast: false));
        Assert.Null(folder.Resolve("/loop/x"));
    }

    private static string Read(string root, string path) => System.IO.File.ReadAllText(Path.Combine(root, path));

    private static LayerBlob Layer(ScratchDir scratch, string name, Action<TarWriter> write)
    {
        var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
            write(writer);
        var bytes = tar.ToArray();
        var path = scratch.File(name + ".tar", bytes);
        var digest = Digest.Sha256(SHA256.HashData(bytes));
        return new LayerBlob(digest, digest, bytes.Length, bytes.Length, MediaTypes.Layer, path);
    }

    private static void Dir(TarWriter w, string name) => w.WriteEntry(new PaxTarEntry(TarEntryType.Directory, name) { Mode = (UnixFileMode)0b111_101_101 });

    private static void Link(TarWriter w, string name, string target) => w.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, name) { LinkName = target });

    private static void File(TarWriter w, string name, string content) => w.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name)
    {
        Mode = (UnixFileMode)0b110_100_100,
        DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)),
    });
}
