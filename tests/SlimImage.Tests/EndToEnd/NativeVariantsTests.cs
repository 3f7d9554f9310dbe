using System.Xml.Linq;
using SlimImage.Tests.Elf;
using SlimImage.Tests.Support;
using Xunit;

namespace SlimImage.Tests.EndToEnd;

/// <summary>
/// A NuGet package that ships three builds of one native library, as real packages do: one for musl, one needing a
/// library Debian 12 lacks (libsasl2.so.3), one needing only libc; its managed loader tries them in turn. The app is
/// published with only -p:SlimImage=true: the two that cannot load are left out with a warning each, and the image
/// runs the third.
/// </summary>
public class NativeVariantsTests
{
    private const string Loader = """
        using System.Runtime.InteropServices;

        namespace SlimVariants;

        public static class Variant
        {
            [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
            private delegate int IdFunction();

            // Best first, as packages with per-libc builds order them.
            public static string Load()
            {
                foreach (var name in new[] { "libvariant_musl.so", "libvariant_sasl.so", "libvariant.so" })
                {
                    if (!NativeLibrary.TryLoad(name, typeof(Variant).Assembly, null, out var handle))
                        continue;
                    var id = Marshal.GetDelegateForFunctionPointer<IdFunction>(NativeLibrary.GetExport(handle, "variant_id"))();
                    return $"{name} id={id}";
                }
                return "none";
            }
        }
        """;

    [Fact]
    public void VariantsThatCannotLoadAreLeftOutAndTheImageRunsTheFallback()
    {
        var version = $"1.0.0-t{Guid.NewGuid().ToString("N")[..8]}";
        var feed = PackVariants(version);
        var project = TestProject.Create("NativeVariants", "Console.WriteLine(\"loaded=\" + SlimVariants.Variant.Load());",
            items: [new XElement("PackageReference", new XAttribute("Include", "SlimVariants"), new XAttribute("Version", version))]);
        var config = Path.Combine(project.Directory, "nuget.config");
        File.WriteAllText(config, File.ReadAllText(config).Replace("<clear />", $"<clear />\n    <add key=\"variants\" value=\"{feed}\" />"));

        var publish = project.Publish("-p:SlimImage=true").EnsureSuccess();
        var package = "NuGet package SlimVariants " + version;
        Assert.Contains("SLIM2010", publish.WarningCodes);
        Assert.Matches($@"warning SLIM2010: 'libvariant_musl\.so' from {Rx(package)} cannot load in the image: it is built for musl libc: it needs libc\.musl-x86_64\.so\.1", publish.Output);
        Assert.Matches($@"warning SLIM2010: 'libvariant_sasl\.so' from {Rx(package)} cannot load in the image: it needs libsasl2\.so\.3, which the build machine does not have", publish.Output);
        Assert.DoesNotContain("'libvariant.so' from", publish.Output);
        Assert.Matches(@"left out: libvariant_musl\.so \([0-9.]+ K?B\)", publish.Output);

        var files = ArchiveValidator.Validate(project.DefaultArchive()).Files;
        Assert.True(files.ContainsKey("/app/libvariant.so"));
        Assert.False(files.ContainsKey("/app/libvariant_musl.so"));
        Assert.False(files.ContainsKey("/app/libvariant_sasl.so"));

        var run = ImageRunner.Run(project.DefaultArchive());
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("loaded=libvariant.so id=3", run.Output);
    }

    /// <summary>Builds the three variants with gcc and packs them with the loader into a folder feed.</summary>
    private static string PackVariants(string version)
    {
        var dir = Repo.NewTempDir("variants");
        var native = Path.Combine(dir, "native");
        var stubs = Path.Combine(dir, "stubs");
        Directory.CreateDirectory(native);
        Directory.CreateDirectory(stubs);
        string Stub(string soname) =>
            Gcc.Build(Path.Combine(stubs, soname), "int slim_stub(void) { return 0; }\n", ["-shared", "-fPIC", "-nostdlib", "-Wl,-soname," + soname]);
        string Variant(string name, int id, params string[] args) =>
            Gcc.Build(Path.Combine(native, name), $"int variant_id(void) {{ return {id}; }}\n", ["-shared", "-fPIC", "-Wl,-soname," + name, .. args]);
        // musl's build: libc.musl-x86_64.so.1 instead of libc.so.6 (faked with -nostdlib and a stub of that soname).
        Variant("libvariant_musl.so", 1, "-nostdlib", "-Wl,--no-as-needed", Stub("libc.musl-x86_64.so.1"));
        Variant("libvariant_sasl.so", 2, "-Wl,--no-as-needed", Stub("libsasl2.so.3"));
        Variant("libvariant.so", 3);
        Assert.False(File.Exists("/usr/lib/x86_64-linux-gnu/libsasl2.so.3"), "the build machine must lack libsasl2.so.3 for this test");

        File.WriteAllText(Path.Combine(dir, "SlimVariants.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <PackageId>SlimVariants</PackageId>
                <Version>{version}</Version>
              </PropertyGroup>
              <ItemGroup>
                <None Include="native/*.so" Pack="true" PackagePath="runtimes/linux-x64/native/" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(dir, "Variant.cs"), Loader);
        File.WriteAllText(Path.Combine(dir, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(dir, "Directory.Build.targets"), "<Project />");
        var feed = Path.Combine(dir, "feed");
        Repo.Run("dotnet", ["pack", "-c", "Release", "-o", feed, "-nodeReuse:false", "-v:q"], dir, PackageFeed.DotnetEnvironment).EnsureSuccess();
        return feed;
    }

    private static string Rx(string text) => System.Text.RegularExpressions.Regex.Escape(text);
}
