using System.Xml.Linq;
using SlimImage.Tests.Support;
using Xunit;

namespace SlimImage.Tests.EndToEnd;

/// <summary>
/// The SDK's generated labels, read back from the config of a real publish: project metadata through the SDK's
/// fallbacks, SourceLink's repository and commit of a real git checkout, a switch, a ContainerLabel over a generated
/// label, and the base's name and manifest digest from a base archive skopeo wrote.
/// </summary>
public class LabelTests
{
    private const string Oci = "org.opencontainers.image.";

    [Fact]
    public void APublishOnABaseArchiveCarriesTheSdksLabelsAndNamesAndPinsItsBase()
    {
        var project = TestProject.Create("LabelHello", Programs.Hello, properties: new Dictionary<string, string>
        {
            ["InvariantGlobalization"] = "true",
            ["Version"] = "2.3.4",
            ["Description"] = "Says hello",
            ["ContainerAuthors"] = "The Hello Team",
            ["Authors"] = "not this one",
            ["PackageProjectUrl"] = "https://example.com/hello",
            ["ContainerDocumentationUrl"] = "https://docs.example.com/hello",
            ["PackageLicenseExpression"] = "MIT",
            ["ContainerVendor"] = "Example Ltd",
            ["ContainerGenerateLabelsImageUrl"] = "false",
            ["PublishRepositoryUrl"] = "true",
        }, items:
        [
            new XElement("ContainerLabel", new XAttribute("Include", Oci + "vendor"), new XAttribute("Value", "the label item wins")),
        ]);
        // A real checkout: SourceLink gives the remote (PrivateRepositoryUrl) and the commit (SourceRevisionId).
        Git(project.Directory, "init", "-q");
        Git(project.Directory, "remote", "add", "origin", "https://git.example.com/team/hello.git");
        Git(project.Directory, "add", "-A");
        Git(project.Directory, "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "one");
        var commit = Git(project.Directory, "rev-parse", "HEAD").Trim();

        // The base as skopeo writes an archive of a named image: its ref.name is a reference, its manifest has a digest.
        var testBase = TestBase.Build(Repo.NewTempDir("label-base"));
        const string baseName = "registry.example.com/team/base:1.0";
        var named = Path.Combine(project.Directory, "base.tar");
        Repo.Run("skopeo", ["copy", "--quiet", "oci-archive:" + testBase.OciArchive, "oci-archive:" + named + ":" + baseName], timeoutSeconds: 120).EnsureSuccess();
        var baseDigest = IndexDigest(named);

        project.Publish("-r", "linux-x64", "--self-contained", "-p:SlimImage=true", "-p:SlimImageBase=base.tar",
            "-p:SOURCE_DATE_EPOCH=1700000000").EnsureSuccess();
        var labels = ArchiveValidator.Validate(project.DefaultArchive()).RuntimeConfig.GetProperty("Labels");
        string? Label(string name) => labels.TryGetProperty(name, out var v) ? v.GetString() : null;

        Assert.Equal("Says hello", Label(Oci + "description"));
        Assert.Equal("Says hello", Label("org.opencontainers.artifact.description"));
        Assert.Equal("The Hello Team", Label(Oci + "authors"));
        Assert.Null(Label(Oci + "url")); // its switch is off
        Assert.Equal("https://docs.example.com/hello", Label(Oci + "documentation"));
        Assert.Equal("2.3.4", Label(Oci + "version")); // PackageVersion, which is Version
        Assert.Equal("MIT", Label(Oci + "licenses"));
        Assert.Equal("the label item wins", Label(Oci + "vendor"));
        Assert.Equal("LabelHello", Label(Oci + "title"));
        Assert.Equal("2023-11-14T22:13:20Z", Label(Oci + "created"));
        Assert.Equal("2023-11-14T22:13:20Z", Label("org.opencontainers.artifact.created"));
        Assert.Equal("https://git.example.com/team/hello", Label(Oci + "source"));
        Assert.Equal(commit, Label(Oci + "revision"));
        Assert.Equal(baseName, Label(Oci + "base.name"));
        Assert.Equal(baseDigest, Label(Oci + "base.digest"));
        Assert.Equal("kept", Label("base.label")); // the base's own labels stay
        Assert.Null(Label("net.dot.sdk.version")); // opt-in in SlimImage
    }

    /// <summary>The manifest digest the archive's index.json names, read with nothing of SlimImage.</summary>
    private static string IndexDigest(string archive)
    {
        using var reader = new System.Formats.Tar.TarReader(File.OpenRead(archive));
        while (reader.GetNextEntry() is { } entry)
            if (entry.Name.TrimStart('.', '/') == "index.json")
                return System.Text.Json.JsonDocument.Parse(entry.DataStream!).RootElement.GetProperty("manifests")[0].GetProperty("digest").GetString()!;
        throw new InvalidOperationException(archive + " has no index.json");
    }

    private static string Git(string dir, params string[] args) =>
        Repo.Run("git", ["-C", dir, .. args], timeoutSeconds: 60).EnsureSuccess().Output;
}
