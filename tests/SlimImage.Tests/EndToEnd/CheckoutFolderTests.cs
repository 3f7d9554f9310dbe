using System.Security.Cryptography;
using SlimImage.Tests.Registry;
using SlimImage.Tests.Support;
using Xunit;

namespace SlimImage.Tests.EndToEnd;

/// <summary>
/// Two checkouts of the same commit in different folders (two CI runners) give the same archive: SlimImage maps the
/// project folder away (PathMap) so neither the assembly's debug directory nor NativeAOT's build-id holds it. The
/// second runner's push then uploads nothing.
/// </summary>
public class CheckoutFolderTests
{
    private static TestProject Clone(string name, Dictionary<string, string> properties) =>
        TestProject.Create(name, Programs.Hello, properties: new Dictionary<string, string>(properties)
        {
            ["InvariantGlobalization"] = "true",
            ["SlimImage"] = "true",
        });

    private static string Sha256(string file) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file)));

    [Fact]
    public void SelfContainedArchivesAreIdenticalFromTwoFoldersAndTheSecondPushUploadsNothing()
    {
        using var registry = LocalRegistry.Start();
        using var proxy = new RegistryProxy(registry.Host);
        var properties = new Dictionary<string, string> { ["SlimImageRepository"] = "e2e/clonehello" };
        var first = Clone("CloneHello", properties);
        var second = Clone("CloneHello", properties);
        Assert.NotEqual(first.Directory, second.Directory);
        string[] Args() => ["-r", "linux-x64", "--self-contained", $"-p:SlimImageRegistry={proxy.Host}", "-p:SlimImageTags=1.0",
            "-p:SlimImageArchiveOutputPath=out/image.tar", $"-p:SlimImageCacheDirectory={Repo.NewTempDir("cache")}"];

        var one = first.Publish(Args()).EnsureSuccess();
        Assert.Contains(proxy.Requests, r => r.IsUploadStart);
        proxy.Clear();
        var two = second.Publish(Args()).EnsureSuccess();
        Assert.DoesNotContain(proxy.Requests, r => r.IsUploadStart || r.IsUploadData || r.IsMount);
        Assert.Contains("0 blob(s) uploaded", two.Output);
        Assert.Empty(one.WarningCodes);
        Assert.Empty(two.WarningCodes);

        var archive = Path.Combine(first.Directory, "out/image.tar");
        Assert.Equal(Sha256(archive), Sha256(Path.Combine(second.Directory, "out/image.tar")));
        Assert.Equal(ArchiveValidator.Validate(archive).ManifestDigest, RegistryTestKit.TagDigest(registry.Host, "e2e/clonehello", "1.0"));

        // Turned off, the folder is back in the assembly: this is what the map is for.
        var unmapped = Clone("CloneHello", properties);
        unmapped.Publish("-r", "linux-x64", "--self-contained", "-p:SlimImagePathMap=false", "-p:SlimImageArchiveOutputPath=out/image.tar").EnsureSuccess();
        Assert.NotEqual(Sha256(archive), Sha256(Path.Combine(unmapped.Directory, "out/image.tar")));
    }

    [Fact]
    public void SingleFileBundleGoesInRunsAndIsIdenticalFromTwoFolders()
    {
        var properties = new Dictionary<string, string> { ["PublishSingleFile"] = "true" };
        var first = Clone("SingleHello", properties);
        var second = Clone("SingleHello", properties);
        // The second runner's publish folder holds a file of some earlier publish: named, left out, archive unchanged.
        var leftover = Path.Combine(second.Directory, "bin/Release/net10.0/linux-x64/publish/leftover.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(leftover)!);
        File.WriteAllText(leftover, "from an earlier publish");

        var one = first.Publish("-r", "linux-x64", "--self-contained").EnsureSuccess();
        var two = second.Publish("-r", "linux-x64", "--self-contained").EnsureSuccess();
        Assert.Empty(one.WarningCodes);
        Assert.Equal(["SLIM1030"], two.WarningCodes);
        Assert.Contains("leftover.txt", two.Output);

        Assert.Equal(Sha256(first.DefaultArchive()), Sha256(second.DefaultArchive()));
        var view = ArchiveValidator.Validate(first.DefaultArchive());
        Assert.Equal(["/app/SingleHello"], view.Entrypoint);
        var appFiles = view.Files.Keys.Where(p => p.StartsWith("/app/", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        Assert.Contains("/app/SingleHello", appFiles);
        Assert.DoesNotContain("/app/SingleHello.dll", appFiles); // bundled
        Assert.DoesNotContain(appFiles, p => p.EndsWith("leftover.txt", StringComparison.Ordinal));
        Assert.Equal(new FileInfo(Path.Combine(first.Directory, "bin/Release/net10.0/linux-x64/publish/SingleHello")).Length,
            view.Files["/app/SingleHello"].Size);

        var run = ImageRunner.Run(first.DefaultArchive(), ["bundle"]);
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("hello user=app uid=1654 cwd=/app args=bundle tmp=ok", run.Output);
    }

    [Fact]
    public void NativeAotArchivesAreIdenticalFromTwoFolders()
    {
        var properties = new Dictionary<string, string> { ["PublishAot"] = "true" };
        var first = Clone("AotClone", properties);
        var second = Clone("AotClone", properties);
        var one = first.Publish("-r", "linux-x64").EnsureSuccess();
        var two = second.Publish("-r", "linux-x64").EnsureSuccess();
        Assert.Empty(one.WarningCodes);
        Assert.Empty(two.WarningCodes);
        Assert.Equal(Sha256(first.DefaultArchive()), Sha256(second.DefaultArchive()));
        var run = ImageRunner.Run(second.DefaultArchive(), ["aot"]);
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("args=aot", run.Output);
    }
}
