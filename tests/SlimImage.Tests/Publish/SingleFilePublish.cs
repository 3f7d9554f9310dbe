using SlimImage.Tests.Support;

namespace SlimImage.Tests.Publish;

/// <summary>
/// One real single-file publish for the bundle reader's tests: trimmed, compressed, with a NuGet package's native
/// library (SQLite) embedded for extraction, and SHA-256 so that the crypto shim is imported.
/// </summary>
public sealed class SingleFilePublish
{
    public const string Name = "Bundled";

    public string Bundle { get; }

    public SingleFilePublish()
    {
        var dir = Repo.NewTempDir("single-file");
        File.WriteAllText(Path.Combine(dir, Name + ".csproj"), """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <InvariantGlobalization>true</InvariantGlobalization>
                <PublishSingleFile>true</PublishSingleFile>
                <PublishTrimmed>true</PublishTrimmed>
                <EnableCompressionInSingleFile>true</EnableCompressionInSingleFile>
                <IncludeNativeLibrariesForSelfExtract>true</IncludeNativeLibrariesForSelfExtract>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Microsoft.Data.Sqlite" Version="10.0.0" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(dir, "Program.cs"), """
            using var db = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=:memory:");
            db.Open();
            System.Console.WriteLine(System.Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(new byte[] { 1 })));
            """);
        File.WriteAllText(Path.Combine(dir, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(dir, "Directory.Build.targets"), "<Project />");
        Repo.Run("dotnet", ["publish", "-c", "Release", "-r", "linux-x64", "--self-contained", "-nodeReuse:false", "-o", "out"],
            dir, PackageFeed.DotnetEnvironment).EnsureSuccess();
        Bundle = Path.Combine(dir, "out", Name);
    }
}
