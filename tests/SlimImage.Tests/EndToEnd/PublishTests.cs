using System.Security.Cryptography;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using SlimImage.Tests.Support;
using Xunit;

namespace SlimImage.Tests.EndToEnd;

/// <summary>
/// Publishes real projects through the real package from a local feed, reads the archive back, and runs the
/// image's entry point in its own root filesystem as the image's user.
/// </summary>
public class PublishTests
{
    [Fact]
    public void NativeAotImageRunsAndHoldsOnlyWhatTheLoaderNeeds()
    {
        var project = TestProject.Create("AotHello", Programs.Hello, properties: new Dictionary<string, string>
        {
            ["PublishAot"] = "true",
            ["InvariantGlobalization"] = "true",
            ["SlimImage"] = "true",
            ["SlimImageReport"] = "true",
        });
        var summary = Path.Combine(Repo.NewTempDir("summary"), "step_summary");
        var publish = project.Publish("-r", "linux-x64", $"-p:GITHUB_STEP_SUMMARY={summary}").EnsureSuccess();
        Assert.DoesNotContain("SLIM1004", publish.Output); // the RID was given: no second publish
        var archive = project.DefaultArchive();
        var view = ArchiveValidator.Validate(archive);

        Assert.Equal(["/app/AotHello"], view.Entrypoint);
        Assert.Equal("1654", view.User);
        Assert.Equal("/app", view.WorkingDir);
        Assert.Contains("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=true", view.Env);
        Assert.Contains("APP_UID=1654", view.Env);
        Assert.Contains("DOTNET_RUNNING_IN_CONTAINER=true", view.Env);
        Assert.Contains("aothello:latest", view.RepoTags);

        ImageSafety.AssertSafe(view);
        var files = view.Files;
        // The loader at the exact path the binary names, through the host's own links.
        var interpreter = SlimImage.Elf.ElfReader.Read(Path.Combine(project.Directory, "bin/Release/net10.0/linux-x64/publish/AotHello")).Info!.Interpreter!;
        Assert.True(files.Resolve(interpreter) is { Type: System.Formats.Tar.TarEntryType.RegularFile }, $"{interpreter} does not lead to a file in the image");
        Assert.Contains(files.Values, f => f.Path.EndsWith("/libc.so.6"));
        Assert.DoesNotContain(files.Keys, p => p.EndsWith(".dbg") || p.EndsWith(".pdb"));
        Assert.DoesNotContain(files.Keys, p => p.Contains("libicu") || p.Contains("libstdc++"));
        // No crypto in the app: the binary does not link the OpenSSL shim, so no libssl, libcrypto or CA bundle.
        Assert.DoesNotContain(files.Keys, p => p.Contains("libssl") || p.Contains("libcrypto") || p.StartsWith("/etc/ssl"));
        Assert.DoesNotContain("SLIM1203", publish.Output);
        Assert.Equal(0x1FF | 0x200, files["/tmp"].Mode); // 1777
        Assert.Equal(1654, files["/home/app"].Uid);
        Assert.Contains("app:x:1654:1654:", System.Text.Encoding.ASCII.GetString(files["/etc/passwd"].Content!));
        Assert.True(files.ContainsKey("/etc/nsswitch.conf"));
        Assert.All(files.Values.Where(f => f.Path.StartsWith("/app/")), f => Assert.Equal(0, f.Uid));

        // The size report beside the archive: rendered in Chromium, naming the archive's largest files; its Markdown
        // also went to the step summary.
        var (html, md) = (archive + ".report.html", archive + ".report.md");
        Assert.Contains("SLIM5050", publish.Output);
        ReportCheck.AssertNamesLargestFiles(view, html, md);
        ReportCheck.AssertRenders(html);
        var report = (Html: File.ReadAllText(html), Markdown: File.ReadAllText(md));
        Assert.Equal(report.Markdown + "\n", File.ReadAllText(summary));
        Assert.Contains(ReportCheck.MarkdownTables(report.Markdown)["Origins"], r => r[0] == "app");

        var run = ImageRunner.Run(archive, ["one", "two"]);
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("hello user=app uid=1654 cwd=/app args=one,two tmp=ok", run.Output);

        // Reproducible: the same project published again gives the same bytes.
        var first = SHA256.HashData(File.ReadAllBytes(archive));
        File.Delete(archive);
        project.Publish("-r", "linux-x64").EnsureSuccess();
        Assert.Equal(Convert.ToHexString(first), Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(archive))));
        // The report's image part is the same again. Its left-out list is not compared: the first publish leaves out
        // nothing, the second lists AotHello.dbg (seen here, not yet explained: the .dbg is not among the first
        // publish's files when SlimImage runs, and the archive is the same either way).
        var again = File.ReadAllText(md);
        Assert.Equal(report.Markdown[..report.Markdown.IndexOf("### Left out", StringComparison.Ordinal)],
            again[..again.IndexOf("### Left out", StringComparison.Ordinal)]);
    }

    [Fact]
    public void SelfContainedImageRunsWithoutTraceProviderOrSymbolsAndKeepsContainerSettings()
    {
        var extra = Path.Combine(Repo.NewTempDir("extra"), "extra.txt");
        File.WriteAllText(extra, "extra content");
        // A folder of awkward names: spaces, non-ASCII, paths over 100 and over 255 bytes (PAX), a link out of the
        // folder (kept as a link, never followed) and a link loop.
        var odd = Repo.NewTempDir("odd");
        File.WriteAllText(Path.Combine(odd, "name with spaces ü ✓.txt"), "odd");
        var deep = Path.Combine(odd, string.Join('/', Enumerable.Range(0, 6).Select(i => new string((char)('a' + i), 45))));
        Directory.CreateDirectory(deep);
        File.WriteAllText(Path.Combine(deep, "deep.txt"), "deep");
        File.CreateSymbolicLink(Path.Combine(odd, "outside"), "/etc/hostname");
        File.CreateSymbolicLink(Path.Combine(odd, "loop"), "loop");
        var project = TestProject.Create("ScHello", Programs.Hello,
            properties: new Dictionary<string, string>
            {
                ["InvariantGlobalization"] = "true",
                // The SDK's container properties, for users moving from -t:PublishContainer.
                ["ContainerRepository"] = "myorg/sc-hello",
                ["ContainerImageTags"] = "1.0;latest",
                ["Version"] = "1.0.0",
            },
            items:
            [
                new XElement("ContainerEnvironmentVariable", new XAttribute("Include", "GREETING"), new XAttribute("Value", "hi")),
                new XElement("ContainerPort", new XAttribute("Include", "8080"), new XAttribute("Type", "tcp")),
                new XElement("SlimImageLabel", new XAttribute("Include", "com.example.team"), new XAttribute("Value", "core")),
                new XElement("SlimImageFile", new XAttribute("Include", extra), new XAttribute("DestinationPath", "/app/config/")),
                new XElement("SlimImageFile", new XAttribute("Include", odd), new XAttribute("DestinationPath", "/srv/odd")),
            ],
            targets:
            [
                new XElement("Target", new XAttribute("Name", "ShowArchive"), new XAttribute("AfterTargets", "PublishSlimImage"),
                    new XElement("Message", new XAttribute("Importance", "high"),
                        new XAttribute("Text", "ARCHIVE=@(SlimImageArchive)|%(SlimImageArchive.ManifestDigest)|%(SlimImageArchive.Tags)|%(SlimImageArchive.CompressedSize)"))),
            ]);
        var publish = project.Publish("-r", "linux-x64", "--self-contained", "-p:SlimImage=true", "-p:SlimImageOpenSsl=false").EnsureSuccess();
        Assert.Contains("SLIM1103", publish.Output); // what was left out is said
        Assert.Matches(@"left out: libcoreclrtraceptprovider\.so \([0-9.]+ KB\)", publish.Output); // and in the summary
        var reported = Regex.Match(publish.Output, @"ARCHIVE=([^|\r\n]+)\|(sha256:[0-9a-f]{64})\|([^|]+)\|(\d+)");
        Assert.True(reported.Success, "the SlimImageArchive item was not output:\n" + publish.Output);
        var archive = reported.Groups[1].Value.Trim();
        Assert.EndsWith("myorg-sc-hello.tar", archive);
        Assert.Equal("1.0;latest", reported.Groups[3].Value);

        var view = ArchiveValidator.Validate(archive);
        Assert.Equal(reported.Groups[2].Value, view.ManifestDigest);
        Assert.Equal(["myorg/sc-hello:1.0", "myorg/sc-hello:latest"], view.RepoTags.Order());
        Assert.Contains("GREETING=hi", view.Env);
        Assert.True(view.RuntimeConfig.GetProperty("ExposedPorts").TryGetProperty("8080/tcp", out _));
        var labels = view.RuntimeConfig.GetProperty("Labels");
        Assert.Equal("core", labels.GetProperty("com.example.team").GetString());
        Assert.Equal("1.0.0", labels.GetProperty("org.opencontainers.image.version").GetString());
        Assert.Equal("ScHello", labels.GetProperty("org.opencontainers.image.title").GetString());

        ImageSafety.AssertSafe(view);
        var files = view.Files;
        Assert.Equal("extra content", System.Text.Encoding.UTF8.GetString(files["/app/config/extra.txt"].Content!));
        Assert.Equal("odd", System.Text.Encoding.UTF8.GetString(files["/srv/odd/name with spaces ü ✓.txt"].Content!));
        var deepInImage = "/srv/odd/" + Path.GetRelativePath(odd, Path.Combine(deep, "deep.txt"));
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(deepInImage) > 255);
        Assert.Equal("deep", System.Text.Encoding.UTF8.GetString(files[deepInImage].Content!));
        Assert.Equal("/etc/hostname", files["/srv/odd/outside"].LinkName);
        Assert.Equal("loop", files["/srv/odd/loop"].LinkName);
        Assert.True(files.ContainsKey("/app/libcoreclr.so"));
        Assert.True(files.ContainsKey("/app/System.Private.CoreLib.dll"));
        Assert.False(files.ContainsKey("/app/libcoreclrtraceptprovider.so"));
        Assert.True(files.ContainsKey("/app/libmscordaccore.so")); // debugger support stays unless SlimImageTrimDiagnostics
        // Invariant: no ICU. SlimImageOpenSsl=false: no OpenSSL and no CA bundle, although the shim is there.
        Assert.True(files.ContainsKey("/app/libSystem.Security.Cryptography.Native.OpenSsl.so"));
        Assert.DoesNotContain(files.Keys, p => p.Contains("libicu") || p.Contains("libssl") || p.Contains("libcrypto") || p.StartsWith("/etc/ssl"));
        Assert.DoesNotContain(files.Keys, p => p.EndsWith(".pdb"));
        // libcoreclr and friends need the C++ runtime from the host.
        Assert.Contains(files.Keys, p => p.Contains("libstdc++.so.6"));
        Assert.Contains(files.Keys, p => p.Contains("libgcc_s.so.1"));
        Assert.Equal(0b111_101_101, files["/app/ScHello"].Mode);
        Assert.Equal(0b110_100_100, files["/app/ScHello.dll"].Mode);

        var run = ImageRunner.Run(archive, ["x"]);
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("hello user=app uid=1654 cwd=/app args=x tmp=ok", run.Output);
    }

    [Fact]
    public void PlainConsoleWithOnlyThePropertyGetsSelfContainedImageWithIcu()
    {
        // dotnet new console: no RID, framework-dependent by default, not invariant.
        var project = TestProject.Create("PlainGlob", Programs.Globalization);
        var publish = project.Publish("-p:SlimImage=true").EnsureSuccess();
        Assert.Contains("SLIM1004", publish.Output); // says it published again, and how to avoid it
        Assert.Contains("SLIM1100", publish.Output); // ICU went in, with its size and the invariant hint
        var view = ArchiveValidator.Validate(project.DefaultArchive());
        Assert.Contains(view.Files.Keys, p => p.Contains("libicuuc.so."));
        Assert.Contains(view.Files.Keys, p => p.Contains("libicudata.so."));
        Assert.DoesNotContain(view.Env, e => e.StartsWith("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT"));

        var run = ImageRunner.Run(project.DefaultArchive());
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("de=1.234.567,89 tr=İ user=app", run.Output);

        // Again through the second publish, with nothing changed: no image work, the archive untouched.
        var written = File.GetLastWriteTimeUtc(project.DefaultArchive());
        var again = project.Publish("-p:SlimImage=true").EnsureSuccess();
        Assert.Contains("SLIM1402", again.Output);
        Assert.DoesNotContain("SLIM3600", again.Output);
        Assert.Equal(written, File.GetLastWriteTimeUtc(project.DefaultArchive()));
    }

    [Fact]
    public void SdkFormChoosesTheRuntimeIdentifierDuringRestore()
    {
        var project = TestProject.Create("SdkHello", Programs.Hello, ReferenceForm.Sdk,
            new Dictionary<string, string> { ["InvariantGlobalization"] = "true" });
        var publish = project.Publish("-p:SlimImage=true").EnsureSuccess();
        Assert.DoesNotContain("SLIM1004", publish.Output); // no second publish needed in this form
        var run = ImageRunner.Run(project.DefaultArchive());
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("hello user=app uid=1654", run.Output);
    }
}
