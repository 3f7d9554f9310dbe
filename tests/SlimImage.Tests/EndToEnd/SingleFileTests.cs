using System.Security.Cryptography;
using System.Xml.Linq;
using SlimImage.Tests.Support;
using Xunit;

namespace SlimImage.Tests.EndToEnd;

/// <summary>
/// A trimmed, compressed single-file app published for real: what it loads is read from inside the bundle, and the
/// image runs it (cultures through ICU, a named time zone, SHA-256 through OpenSSL).
/// </summary>
public class SingleFileTests
{
    private const string Program = """
        using System.Globalization;
        using System.Security.Cryptography;

        var day = new DateTime(2024, 7, 14, 12, 30, 0, DateTimeKind.Utc);
        foreach (var name in new[] { "de-DE", "fr-FR", "ja-JP" })
            Console.WriteLine($"{name}={day.ToString("D", CultureInfo.GetCultureInfo(name))}");
        var berlin = TimeZoneInfo.ConvertTimeFromUtc(day, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"));
        Console.WriteLine($"berlin={berlin:HH:mm}");
        Console.WriteLine("sha256=" + Convert.ToHexString(SHA256.HashData("slimimage"u8)));
        """;

    // Until the publish file list holds the bundle itself (another change), the test project adds it.
    private static readonly XElement AddBundle = new("Target", new XAttribute("Name", "AddSingleFileBundle"),
        new XAttribute("BeforeTargets", "_SlimImageCreate"),
        new XElement("ItemGroup", new XElement("ResolvedFileToPublish",
            new XAttribute("Include", "$(PublishDir)$(AssemblyName)"), new XAttribute("RelativePath", "$(AssemblyName)"))));

    [Fact]
    public void TrimmedCompressedSingleFileAppRunsWithCulturesTimeZonesAndSha256()
    {
        var project = TestProject.Create("SingleFile", Program, properties: new Dictionary<string, string>
        {
            ["PublishSingleFile"] = "true",
            ["PublishTrimmed"] = "true",
            ["EnableCompressionInSingleFile"] = "true",
            ["SlimImageTimeZoneData"] = "true",
        }, targets: [AddBundle]);

        var publish = project.Publish("-r", "linux-x64", "--self-contained", "-p:SlimImage=true", "-v:n").EnsureSuccess();
        // OpenSSL because an assembly inside the bundle imports the shim, not because the bundle could not be read.
        Assert.Matches(@"SLIM1203: .*System\.Security\.Cryptography\.dll \(in SingleFile\) P/Invokes", publish.Output);
        Assert.Matches(@"SLIM1045: Single-file bundle 'SingleFile' \(format 6\.0\): [1-9][0-9]* assemblies read .*, compressed", publish.Output);

        var files = ArchiveValidator.Validate(project.DefaultArchive()).Files;
        Assert.True(files.ContainsKey("/app/SingleFile"));
        Assert.DoesNotContain(files.Keys, p => p.StartsWith("/app/") && p.EndsWith(".dll"));
        Assert.Contains(files.Keys, p => p.EndsWith("/libssl.so.3"));
        Assert.Contains(files.Keys, p => p.Contains("/libicuuc.so."));
        Assert.True(files.ContainsKey("/usr/share/zoneinfo/Europe/Berlin"));

        var run = ImageRunner.Run(project.DefaultArchive());
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("de-DE=Sonntag, 14. Juli 2024", run.Output);
        Assert.Contains("fr-FR=dimanche 14 juillet 2024", run.Output);
        Assert.Contains("ja-JP=2024年7月14日", run.Output);
        Assert.Contains("berlin=14:30", run.Output);
        Assert.Contains("sha256=" + Convert.ToHexString(SHA256.HashData("slimimage"u8)), run.Output);
    }

    [Fact]
    public void UntrimmedSingleFileAppExtractsItsNativeLibraryIntoTheUsersHome()
    {
        var project = TestProject.Create("SingleFileSqlite", """
            using var db = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=:memory:");
            db.Open();
            using var command = db.CreateCommand();
            command.CommandText = "select 6 * 7";
            Console.WriteLine($"sqlite={command.ExecuteScalar()} home={Environment.GetEnvironmentVariable("HOME")}");
            Console.WriteLine("extracted=" + Directory.Exists(Path.Combine(Environment.GetEnvironmentVariable("HOME")!, ".net")));
            """, properties: new Dictionary<string, string>
        {
            ["PublishSingleFile"] = "true",
            ["IncludeNativeLibrariesForSelfExtract"] = "true",
            ["InvariantGlobalization"] = "true",
        }, items: [new XElement("PackageReference", new XAttribute("Include", "Microsoft.Data.Sqlite"), new XAttribute("Version", "10.0.0"))],
            targets: [AddBundle]);

        var publish = project.Publish("-r", "linux-x64", "--self-contained", "-p:SlimImage=true", "-v:n").EnsureSuccess();
        Assert.Matches(@"SLIM1045: Single-file bundle 'SingleFileSqlite' \(format 6\.0\): [0-9]+ assemblies read for what they load, [1-9][0-9]* native libraries", publish.Output);
        // Untrimmed, the runtime's crypto assemblies are inside the bundle and import the shim.
        Assert.Matches(@"SLIM1203: .*\(in SingleFileSqlite\)", publish.Output);
        var files = ArchiveValidator.Validate(project.DefaultArchive()).Files;
        Assert.False(files.ContainsKey("/app/libe_sqlite3.so")); // inside the bundle, extracted at start
        Assert.Equal(1654, files["/home/app"].Uid);

        var run = ImageRunner.Run(project.DefaultArchive());
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("sqlite=42 home=/home/app", run.Output);
        Assert.Contains("extracted=True", run.Output);
    }
}
