using SlimImage.Diagnostics;
using SlimImage.Image;
using Xunit;
using SlimImage.Oci;

namespace SlimImage.Tests.Image;

/// <summary>
/// The generated labels by the SDK's rules (Microsoft.NET.Build.Containers.targets of SDK 10.0.401, ComputeContainerConfig):
/// Container* first, then the project property the SDK falls back to; switches; source control only on opt-in.
/// </summary>
public class LabelsTests
{
    private const string Oci = "org.opencontainers.image.";
    private static readonly DateTimeOffset Epoch = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
    private static readonly Digest BaseDigest = Digest.Sha256(new byte[32]);

    /// <summary>What SDK 10.0.401 evaluates for a plain `dotnet new console` named Hello (measured with -getProperty):
    /// Authors = AssemblyName, PackageVersion = Version, Description and Title empty, PackageDescription "Package Description".</summary>
    private static Dictionary<string, string> PlainProject() => new()
    {
        ["AssemblyName"] = "Hello", ["Authors"] = "Hello", ["PackageVersion"] = "1.0.0", ["Description"] = "", ["Title"] = "",
        ["PackageDescription"] = "Package Description", ["SourceRevisionId"] = "254f3f33c7d27579141489cff6e9940ac6dbe62f",
        ["PrivateRepositoryUrl"] = "https://git.example.com/team/hello.git", ["RepositoryType"] = "git",
    };

    private static IReadOnlyDictionary<string, string> Compose(Dictionary<string, string> properties, string? baseName = null,
        Digest? baseDigest = null, params KeyValuePair<string, string>[] user) =>
        Labels.Compose(new LabelOptions(LabelSettings.FromProperties(properties), Epoch, baseName, baseDigest, user));

    private static Dictionary<string, string> With(params (string Name, string Value)[] set)
    {
        var p = PlainProject();
        foreach (var (name, value) in set) p[name] = value;
        return p;
    }

    [Fact]
    public void APlainProjectGetsTheSdksDefaultsWithoutNuGetsPackageDescriptionOrItsRepository()
    {
        var labels = Compose(PlainProject());
        Assert.Equal(new Dictionary<string, string>
        {
            [Oci + "created"] = "2023-11-14T22:13:20Z",
            ["org.opencontainers.artifact.created"] = "2023-11-14T22:13:20Z",
            [Oci + "authors"] = "Hello", // the SDK's Authors default, as the SDK labels it
            [Oci + "version"] = "1.0.0",
            [Oci + "title"] = "Hello", // SlimImage's own last fallback; the SDK has none
        }, labels);
    }

    [Theory]
    [InlineData("ContainerDescription", "Description", "description")]
    [InlineData("ContainerAuthors", "Authors", "authors")]
    [InlineData("ContainerInformationUrl", "PackageProjectUrl", "url")]
    [InlineData("ContainerDocumentationUrl", "PackageProjectUrl", "documentation")]
    [InlineData("ContainerVersion", "PackageVersion", "version")]
    [InlineData("ContainerLicenseExpression", "PackageLicenseExpression", "licenses")]
    [InlineData("ContainerTitle", "Title", "title")]
    public void AContainerPropertyWinsOverItsFallbackAndAnEmptyOneFallsBack(string container, string fallback, string label)
    {
        Assert.Equal("ours", Compose(With((container, "ours"), (fallback, "project")))[Oci + label]);
        Assert.Equal("project", Compose(With((container, ""), (fallback, "project")))[Oci + label]);
    }

    [Fact]
    public void ThePackageProjectUrlIsBothUrlAndDocumentationAndTheDescriptionHasItsArtifactTwin()
    {
        var labels = Compose(With(("PackageProjectUrl", "https://example.com/hello"), ("ContainerDocumentationUrl", "https://docs.example.com"),
            ("Description", "A greeting service"), ("ContainerVendor", "Example Ltd"), ("PackageLicenseExpression", "MIT")));
        Assert.Equal("https://example.com/hello", labels[Oci + "url"]);
        Assert.Equal("https://docs.example.com", labels[Oci + "documentation"]);
        Assert.Equal("A greeting service", labels[Oci + "description"]);
        Assert.Equal("A greeting service", labels["org.opencontainers.artifact.description"]);
        Assert.Equal("Example Ltd", labels[Oci + "vendor"]);
        Assert.Equal("MIT", labels[Oci + "licenses"]);
    }

    [Fact]
    public void SourceAndRevisionNeedPublishRepositoryUrlAndLoseGitsSuffixOnlyForGit()
    {
        Assert.DoesNotContain(Oci + "source", Compose(PlainProject()).Keys);
        Assert.DoesNotContain(Oci + "revision", Compose(PlainProject()).Keys);
        var published = Compose(With(("PublishRepositoryUrl", "True")));
        Assert.Equal("https://git.example.com/team/hello", published[Oci + "source"]);
        Assert.Equal("254f3f33c7d27579141489cff6e9940ac6dbe62f", published[Oci + "revision"]);
        Assert.Equal("https://git.example.com/team/hello.git",
            Compose(With(("PublishRepositoryUrl", "true"), ("RepositoryType", "svn")))[Oci + "source"]);
        // RepositoryUrl alone (NuGet metadata) is not a source label, as in the SDK.
        Assert.DoesNotContain(Oci + "source", Compose(With(("RepositoryUrl", "https://example.com/r"))).Keys);
    }

    [Fact]
    public void TheBaseIsNamedAndPinnedWhenThereIsOne()
    {
        var labels = Compose(PlainProject(), "registry.example.com/base:1", BaseDigest);
        Assert.Equal("registry.example.com/base:1", labels[Oci + "base.name"]);
        Assert.Equal(BaseDigest.ToString(), labels[Oci + "base.digest"]);
        Assert.DoesNotContain(Oci + "base.name", Compose(PlainProject()).Keys);
        var unpinned = Compose(With(("ContainerGenerateLabelsImageBaseDigest", "false")), "registry.example.com/base:1", BaseDigest);
        Assert.True(unpinned.ContainsKey(Oci + "base.name"));
        Assert.False(unpinned.ContainsKey(Oci + "base.digest"));
    }

    [Theory]
    [InlineData("Created", "created")]
    [InlineData("Authors", "authors")]
    [InlineData("Version", "version")]
    [InlineData("Title", "title")]
    public void EachSwitchTurnsItsLabelOff(string suffix, string label)
    {
        var labels = Compose(With(("ContainerGenerateLabelsImage" + suffix, "FALSE")));
        Assert.DoesNotContain(Oci + label, labels.Keys);
        Assert.Equal(4 - (suffix == "Created" ? 1 : 0), labels.Count); // the others stay (created has two keys)
    }

    [Fact]
    public void TheMasterSwitchLeavesOnlyTheUsersLabelsAndTheUsersWinOverGenerated()
    {
        var user = new[] { KeyValuePair.Create(Oci + "title", "mine"), KeyValuePair.Create("team", "core") };
        Assert.Equal(new Dictionary<string, string> { [Oci + "title"] = "mine", ["team"] = "core" },
            Compose(With(("ContainerGenerateLabels", "false")), "b:1", BaseDigest, user));
        var labels = Compose(PlainProject(), null, null, user);
        Assert.Equal("mine", labels[Oci + "title"]);
        Assert.Equal("Hello", labels[Oci + "authors"]);
    }

    [Fact]
    public void TheDotnetToolsetLabelsAreOptIn()
    {
        var toolset = With(("_TargetFrameworkVersionWithoutV", "10.0"), ("NETCoreSdkVersion", "10.0.401"));
        Assert.DoesNotContain("net.dot.sdk.version", Compose(toolset).Keys);
        toolset["ContainerGenerateLabelsDotnetToolset"] = "true";
        var labels = Compose(toolset);
        Assert.Equal("10.0", labels["net.dot.runtime.majorminor"]);
        Assert.Equal("10.0.401", labels["net.dot.sdk.version"]);
    }

    [Theory]
    [InlineData("ContainerGenerateLabels")]
    [InlineData("ContainerGenerateLabelsImageVendor")]
    [InlineData("ContainerGenerateLabelsDotnetToolset")]
    public void ASwitchThatIsNeitherTrueNorFalseIsAnErrorNamingIt(string property)
    {
        var e = Assert.Throws<SlimException>(() => LabelSettings.FromProperties(With((property, "yes"))));
        Assert.Equal("SLIM5200", e.Code);
        Assert.Contains(property, e.Message);
        Assert.Contains("'yes'", e.Message);
    }

    [Fact]
    public void EverySwitchAndValueTheTargetsPassIsOneTheSettingsRead()
    {
        var targets = File.ReadAllText(Path.Combine(Support.Repo.Root, "src/SlimImage.Sdk/build/SlimImage.Sdk.targets"));
        var passed = System.Text.RegularExpressions.Regex.Matches(targets, "<_SlimImageLabelProperty Include=\"([^\"]+)\" Value=\"\\$\\(([^)]+)\\)\"")
            .Select(m => { Assert.Equal(m.Groups[1].Value, m.Groups[2].Value); return m.Groups[1].Value; }).ToList();
        Assert.Equal(LabelSettings.PropertyNames.Order(), passed.Order());
    }
}
