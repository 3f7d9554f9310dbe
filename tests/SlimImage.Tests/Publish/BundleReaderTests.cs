using System.Buffers.Binary;
using System.Reflection.PortableExecutable;
using System.Text;
using SlimImage.Diagnostics;
using SlimImage.Pipeline;
using SlimImage.Publish;
using SlimImage.Publish.Bundle;
using SlimImage.Rootfs;
using SlimImage.Runtime;
using SlimImage.Tests.Support;
using Xunit;
using SlimImage.Entries;

namespace SlimImage.Tests.Publish;

/// <summary>The single-file bundle reader on a real bundle, and on copies of it damaged in every field it trusts.</summary>
public sealed class BundleReaderTests(SingleFilePublish publish) : IClassFixture<SingleFilePublish>
{
    private BundleManifest Manifest => BundleReader.TryRead(publish.Bundle)!;

    [Fact]
    public void ReadsTheManifestOfARealCompressedBundle()
    {
        var m = Manifest;
        Assert.Equal(6u, m.MajorVersion);
        Assert.Contains(m.Entries, e => e.RelativePath == SingleFilePublish.Name + ".dll" && e.Type == BundleFileType.Assembly);
        Assert.Contains(m.Entries, e => e.RelativePath == "System.Private.CoreLib.dll" && e.IsCompressed);
        Assert.Contains(m.Entries, e => e.RelativePath == SingleFilePublish.Name + ".deps.json" && e.Type == BundleFileType.DepsJson);
        Assert.Contains(m.Entries, e => e.RelativePath == "libe_sqlite3.so" && e.Type == BundleFileType.NativeBinary);
        Assert.True(m.Extracts); // the native library is written out at start
        // Every assembly inflates to exactly its size and is a PE file with metadata.
        foreach (var entry in m.Entries.Where(e => e.Type == BundleFileType.Assembly))
        {
            using var pe = new PEReader(new MemoryStream(BundleEntryReader.ReadAll(m, entry)));
            Assert.True(pe.HasMetadata, entry.RelativePath);
        }
    }

    [Fact]
    public void TheOpenSslDecisionAndTheNativeLibrariesComeFromInsideTheBundle()
    {
        var file = new PublishFile(publish.Bundle, SingleFilePublish.Name, EntryOrigin.App);
        var bundles = SingleFileBundle.Find([file]);
        var bundle = Assert.Single(bundles);

        var use = OpenSslDetection.Detect(new PublishSelection([file], []), bundles);
        Assert.True(use.Loads);
        Assert.Contains($"System.Security.Cryptography.dll (in {SingleFilePublish.Name})", use.Reason);
        Assert.Equal("libssl.so.3", use.ProbeOrder[0]); // the shim linked into the bundle's host

        var folder = Repo.NewTempDir("extract");
        var native = Assert.Single(bundle.ExtractNatives(folder));
        Assert.Equal(Path.Combine(folder, "libe_sqlite3.so"), native.HostPath);
        Assert.Equal(EntryOrigin.Package, native.Origin);
        Assert.StartsWith("SQLitePCLRaw.lib.e_sqlite3 ", native.Package);
        Assert.Equal("\x7F" + "ELF", Encoding.ASCII.GetString(File.ReadAllBytes(native.HostPath).AsSpan(0, 4)));
    }

    [Fact]
    public void ABundleThatExtractsNeedsAHomeTheImageUserCanWrite()
    {
        var bundles = SingleFileBundle.Find([new PublishFile(publish.Bundle, SingleFilePublish.Name, EntryOrigin.App)]);
        var request = TestRequests.For(Repo.NewTempDir("home"));
        var plan = new RootfsPlan(EtcFiles.Entries().ToList(), []);
        foreach (var user in new[] { "1654", "app", "app:app", "root", "0" })
            ClosureStage.CheckExtractionHome(request with { User = user }, bundles, plan);

        var unknown = Assert.Throws<SlimException>(() => ClosureStage.CheckExtractionHome(request with { User = "1000" }, bundles, plan));
        Assert.Equal("SLIM1044", unknown.Code);
        Assert.Contains("'1000' has no entry in the image's /etc/passwd", unknown.Message);

        var rootOwned = new RootfsPlan(EtcFiles.Entries().Select(e => e.Path == "/home/app" ? e with { Uid = 0, Gid = 0 } : e).ToList(), []);
        var e = Assert.Throws<SlimException>(() => ClosureStage.CheckExtractionHome(request, bundles, rootOwned));
        Assert.Contains("cannot write its home '/home/app' (owned by uid 0", e.Message);
        // The extraction folder moved elsewhere: the home does not matter.
        ClosureStage.CheckExtractionHome(request with { Environment = [new("DOTNET_BUNDLE_EXTRACT_BASE_DIR", "/tmp")] }, bundles, rootOwned);
    }

    [Fact]
    public void ImportsAreReadFromStoredAndFromCompressedAssemblies()
    {
        var host = File.ReadAllBytes(publish.Bundle).AsSpan(0, 4096).ToArray();
        var path = Path.Combine(Repo.NewTempDir("written"), "App");
        foreach (var compress in new[] { false, true })
        {
            BundleWriter.Write(path, host,
            [
                ("xunit.assert.dll", BundleFileType.Assembly, File.ReadAllBytes(typeof(Assert).Assembly.Location), !compress),
                ("System.Security.Cryptography.dll", BundleFileType.Assembly, File.ReadAllBytes(typeof(System.Security.Cryptography.SHA256).Assembly.Location), compress),
            ]);
            var file = new PublishFile(path, "App", EntryOrigin.App);
            var use = OpenSslDetection.Detect(new PublishSelection([file], []));
            Assert.True(use.Loads, use.Reason);
            Assert.Equal("System.Security.Cryptography.dll (in App) P/Invokes " + OpenSslDetection.ShimFile, use.Reason);
        }
        BundleWriter.Write(path, host, [("xunit.assert.dll", BundleFileType.Assembly, File.ReadAllBytes(typeof(Assert).Assembly.Location), false)]);
        var none = OpenSslDetection.Detect(new PublishSelection([new PublishFile(path, "App", EntryOrigin.App)], []));
        Assert.False(none.Loads);
        Assert.Contains("no assembly of the single-file bundle App P/Invokes", none.Reason);
    }

    [Fact]
    public void APlainProgramIsNoBundle()
    {
        var dir = Repo.NewTempDir("not-bundle");
        var apphost = Path.Combine(dir, "apphost");
        // An apphost before bundling: the signature with a header offset of 0.
        File.WriteAllBytes(apphost, [0x7F, (byte)'E', (byte)'L', (byte)'F', .. new byte[100], .. new byte[8], .. BundleReader.Signature, .. new byte[64]]);
        Assert.Null(BundleReader.TryRead(apphost));
        Assert.Empty(SingleFileBundle.Find([new PublishFile(apphost, "apphost", EntryOrigin.App)]));
        var elf = Path.Combine(dir, "other");
        File.WriteAllBytes(elf, [0x7F, (byte)'E', (byte)'L', (byte)'F', .. new byte[1000]]);
        Assert.Null(BundleReader.TryRead(elf));
    }

    public static TheoryData<string> Damages => new()
    {
        "header offset past the end", "header offset negative", "file count huge", "file count zero", "entry past the header",
        "path with ..", "absolute path", "unknown type", "truncated manifest", "size beyond deflate", "unknown version",
    };

    [Theory]
    [MemberData(nameof(Damages))]
    public void ADamagedManifestIsAClearError(string damage)
    {
        var bytes = File.ReadAllBytes(publish.Bundle);
        var marker = bytes.AsSpan().IndexOf(BundleReader.Signature);
        var header = (int)BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(marker - 8));
        var idLength = bytes[header + 12];
        var first = header + 12 + 1 + idLength + 40; // the first file entry
        var firstPathLength = bytes[first + 25];
        var second = first + 26 + firstPathLength;
        switch (damage)
        {
            case "header offset past the end": BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(marker - 8), bytes.Length + 10L); break;
            case "header offset negative": BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(marker - 8), -5); break;
            case "file count huge": BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(header + 8), int.MaxValue); break;
            case "file count zero": BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(header + 8), 0); break;
            case "entry past the header": BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(second), header - 10L); break;
            case "path with ..": Encoding.ASCII.GetBytes("..").CopyTo(bytes, first + 26); bytes[first + 28] = (byte)'/'; break;
            case "absolute path": bytes[first + 26] = (byte)'/'; break;
            case "unknown type": bytes[first + 24] = 77; break;
            case "truncated manifest": Array.Resize(ref bytes, header + 200); break;
            case "size beyond deflate":
                var compressed = second;
                while (BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(compressed + 16)) == 0) compressed += 26 + bytes[compressed + 25];
                BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(compressed + 8), long.MaxValue / 2);
                break;
            case "unknown version": BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(header), 7); break;
        }
        var path = Path.Combine(Repo.NewTempDir("damaged"), "App");
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<SlimException>(() => BundleReader.TryRead(path));
        Assert.Equal(damage == "unknown version" ? "SLIM1041" : "SLIM1040", e.Code);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void DamagedCompressedDataIsAClearError()
    {
        var m = Manifest;
        var entry = m.Entries.First(e => e.IsCompressed && e.RelativePath == "System.Private.CoreLib.dll");
        var bytes = File.ReadAllBytes(publish.Bundle);
        // Garbage in the middle of the deflate stream: it stops inflating, or inflates to the wrong length.
        Array.Fill(bytes, (byte)0xFF, (int)entry.Offset + 1000, 4096);
        var path = Path.Combine(Repo.NewTempDir("damaged-data"), "App");
        File.WriteAllBytes(path, bytes);
        var damaged = BundleReader.TryRead(path)!;
        var e = Assert.Throws<SlimException>(() => BundleEntryReader.ReadAll(damaged, damaged.Entries.Single(x => x.RelativePath == entry.RelativePath)));
        Assert.Equal("SLIM1040", e.Code);
        Assert.Contains("System.Private.CoreLib.dll", e.Message);

        // A size one byte short of what the data holds: the reader notices the run-on.
        var shorter = m with { Entries = [entry with { Size = entry.Size - 1 }] };
        Assert.Equal("SLIM1040", Assert.Throws<SlimException>(() => BundleEntryReader.ReadAll(shorter, shorter.Entries[0])).Code);
    }
}
