using Xunit;

namespace SlimImage.Tests.Support;

/// <summary>
/// Packs SlimImage.Sdk from this checkout once per test run into a folder feed, with a version no earlier run
/// used, so that NuGet's global package cache can never hand a test a stale task assembly (build/test.sh gives that
/// version in <c>SLIMIMAGE_TEST_PACKAGE_VERSION</c> and removes it from the cache after the run).
/// </summary>
public sealed class PackageFeed
{
    private static readonly Lazy<PackageFeed> Instance = new(() => new PackageFeed(), LazyThreadSafetyMode.ExecutionAndPublication);

    public static PackageFeed Shared => Instance.Value;

    public string Directory { get; }
    public string Version { get; }

    private PackageFeed()
    {
        Directory = Repo.NewTempDir("feed");
        // build/test.sh names the version, to remove it from NuGet's cache when the run ends.
        Version = Environment.GetEnvironmentVariable("SLIMIMAGE_TEST_PACKAGE_VERSION") is { Length: > 0 } given ? given
            : $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Guid.NewGuid().ToString("N")[..6]}";
        Repo.Run("dotnet", ["pack", Path.Combine(Repo.Root, "src/SlimImage.Sdk/SlimImage.Sdk.csproj"), "-c", "Release",
                "-o", Directory, $"-p:SlimImageVersion={Version}", "-nodeReuse:false", "-v:q"],
            Repo.Root, DotnetEnvironment).EnsureSuccess();
        Assert.True(File.Exists(Path.Combine(Directory, $"SlimImage.Sdk.{Version}.nupkg")), "the package was not written");
    }

    /// <summary>What every dotnet call of the tests runs with: no node reuse, so the task assembly is never stale.</summary>
    public static readonly IReadOnlyDictionary<string, string?> DotnetEnvironment = new Dictionary<string, string?>
    {
        ["MSBUILDDISABLENODEREUSE"] = "1",
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        ["DOTNET_NOLOGO"] = "1",
        ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
        ["SOURCE_DATE_EPOCH"] = null,
        // A test process may run inside `dotnet test`: its MSBuild variables must not leak into child builds.
        ["MSBuildExtensionsPath"] = null,
        ["MSBUILD_EXE_PATH"] = null,
        ["MSBuildSDKsPath"] = null,
    };
}
