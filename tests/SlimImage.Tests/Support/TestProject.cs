using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace SlimImage.Tests.Support;

/// <summary>How a test project refers to SlimImage.</summary>
public enum ReferenceForm { PackageReference, Sdk }

/// <summary>
/// A small stand-in for MSBuild.ProjectCreation (not available here): writes a project with its own
/// nuget.config (the test feed first) into a temporary folder and runs dotnet against it.
/// </summary>
public sealed class TestProject
{
    public string Directory { get; }
    public string Name { get; }
    public string ProjectPath => Path.Combine(Directory, Name + ".csproj");

    private TestProject(string directory, string name)
    {
        Directory = directory;
        Name = name;
    }

    /// <summary>
    /// A console app. <paramref name="properties"/> go into the project's first PropertyGroup,
    /// <paramref name="items"/> are raw XML elements for an ItemGroup; <paramref name="sdk"/> is the project SDK
    /// (<c>Microsoft.NET.Sdk.Web</c> for ASP.NET Core).
    /// </summary>
    public static TestProject Create(string name, string program, ReferenceForm form = ReferenceForm.PackageReference,
        IReadOnlyDictionary<string, string>? properties = null, IEnumerable<XElement>? items = null,
        IEnumerable<XElement>? targets = null, string sdk = "Microsoft.NET.Sdk")
    {
        var feed = PackageFeed.Shared;
        var dir = Repo.NewTempDir(name.ToLowerInvariant());
        var props = new XElement("PropertyGroup",
            new XElement("OutputType", "Exe"),
            new XElement("TargetFramework", "net10.0"),
            new XElement("ImplicitUsings", "enable"),
            new XElement("Nullable", "enable"));
        foreach (var (k, v) in properties ?? new Dictionary<string, string>())
            props.Add(new XElement(k, v));
        var project = new XElement("Project", new XAttribute("Sdk", sdk), props);
        if (form == ReferenceForm.Sdk)
            project.AddFirst(new XElement("Sdk", new XAttribute("Name", "SlimImage.Sdk"), new XAttribute("Version", feed.Version)));
        else
            project.Add(new XElement("ItemGroup", new XElement("PackageReference",
                new XAttribute("Include", "SlimImage.Sdk"), new XAttribute("Version", feed.Version),
                new XAttribute("PrivateAssets", "all"))));
        if (items != null)
            project.Add(new XElement("ItemGroup", items));
        foreach (var target in targets ?? [])
            project.Add(target);
        File.WriteAllText(Path.Combine(dir, name + ".csproj"), project.ToString());
        File.WriteAllText(Path.Combine(dir, "Program.cs"), program);
        return Finish(dir, name, feed);
    }

    /// <summary>
    /// A project as <c>dotnet new TEMPLATE</c> writes it (webapp, mvc, blazor, …), with only a PackageReference to
    /// SlimImage.Sdk added: what a user has after <c>dotnet add package SlimImage.Sdk</c>.
    /// </summary>
    public static TestProject FromTemplate(string template, string name)
    {
        var feed = PackageFeed.Shared;
        var dir = Repo.NewTempDir(name.ToLowerInvariant());
        Repo.Run("dotnet", ["new", template, "-n", name, "-o", dir, "--no-restore"], dir, PackageFeed.DotnetEnvironment).EnsureSuccess();
        var path = Path.Combine(dir, name + ".csproj");
        var project = XDocument.Load(path);
        project.Root!.Add(new XElement("ItemGroup", new XElement("PackageReference",
            new XAttribute("Include", "SlimImage.Sdk"), new XAttribute("Version", feed.Version), new XAttribute("PrivateAssets", "all"))));
        project.Save(path);
        return Finish(dir, name, feed);
    }

    private static TestProject Finish(string dir, string name, PackageFeed feed)
    {
        File.WriteAllText(Path.Combine(dir, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="slimimage-test" value="{feed.Directory}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>
            """);
        // Keep the repository's Directory.Build.props and the like out of the test project.
        File.WriteAllText(Path.Combine(dir, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(dir, "Directory.Build.targets"), "<Project />");
        return new TestProject(dir, name);
    }

    /// <summary>Runs <c>dotnet publish</c> (Release) with the given extra arguments.</summary>
    public PublishResult Publish(params string[] args) => Publish(args, null);

    public PublishResult Publish(IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment) =>
        Dotnet("publish", args, environment);

    /// <summary>Runs another <c>dotnet</c> command on the project (<c>build</c>, <c>clean</c>), Release, as <see cref="Publish(string[])"/> does.</summary>
    public PublishResult Dotnet(string command, IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var env = new Dictionary<string, string?>(PackageFeed.DotnetEnvironment);
        foreach (var (k, v) in environment ?? new Dictionary<string, string?>()) env[k] = v;
        var result = Repo.Run("dotnet", [command, ProjectPath, "-c", "Release", "-nodeReuse:false", .. args], Directory, env);
        return new PublishResult(result);
    }

    /// <summary>The default archive path: the project's output folder, named after the repository.</summary>
    public string DefaultArchive(string rid = "linux-x64") =>
        Path.Combine(Directory, "bin", "Release", "net10.0", rid, Name.ToLowerInvariant() + ".tar");
}

public sealed partial class PublishResult(ProcessResult process)
{
    public int ExitCode => process.ExitCode;
    public string Output => process.Output;

    public IReadOnlyList<string> ErrorCodes => Codes("error");
    public IReadOnlyList<string> WarningCodes => Codes("warning");

    private IReadOnlyList<string> Codes(string kind) =>
        Regex.Matches(Output, $@"\b{kind} ([A-Z]+\d+)\s*:").Select(m => m.Groups[1].Value).Distinct().ToList();

    public PublishResult EnsureSuccess()
    {
        if (ExitCode != 0)
            throw new InvalidOperationException($"dotnet publish failed ({ExitCode}):\n{Output}");
        return this;
    }
}
