using SlimImage.Tests.Support;
using Xunit;

namespace SlimImage.Tests.EndToEnd;

/// <summary>One console app, published once and then again with other smoke settings (the compile is reused).</summary>
public sealed class SmokeApp
{
    /// <summary>"hang" sleeps, "crypto" hashes through OpenSSL, anything else greets as <see cref="Programs.Hello"/> does.</summary>
    public const string Program = """
        using System.Security.Cryptography;
        if (args.FirstOrDefault() == "hang") { Console.WriteLine("hanging " + Environment.ProcessId); Thread.Sleep(Timeout.Infinite); }
        if (args.FirstOrDefault() == "inside")
        {
            // What the run sees of the machine: nothing of the host's /usr, the runtime's /etc files, a minimal /dev, its own network.
            Console.WriteLine($"inside host-usr={File.Exists("/usr/bin/strace") || Directory.Exists("/usr/share/dotnet")} hostname={File.ReadAllText("/etc/hostname").Trim()}"
                + $" dev={string.Join(",", Directory.GetFileSystemEntries("/dev").Select(Path.GetFileName).Order())}"
                + $" nets={string.Join(",", Directory.GetDirectories("/sys/class/net").Select(Path.GetFileName))} busybox={File.Exists("/bin/busybox")}");
            return;
        }
        if (args.FirstOrDefault() == "crypto") { Console.WriteLine("sha256=" + Convert.ToHexString(SHA256.HashData("slim"u8))); return; }
        """ + Programs.Hello;

    public TestProject Project { get; } = TestProject.Create("SmokeHello", Program, properties: new Dictionary<string, string>
    {
        ["InvariantGlobalization"] = "true",
        ["SlimImage"] = "true",
        ["SlimImageSmokeTest"] = "true",
    });

    public PublishResult Publish(params string[] properties) => Publish(properties, null);

    /// <summary><paramref name="environment"/> can hold a property with ';' or ',', on which MSBuild's command line splits properties.</summary>
    public PublishResult Publish(IEnumerable<string> properties, IReadOnlyDictionary<string, string?>? environment) =>
        Project.Publish(["-r", "linux-x64", "--self-contained", "-v:n", .. properties.Select(p => "-p:" + p)], environment);
}

/// <summary>
/// SlimImageSmokeTest with real publishes: the image runs in its own namespaces at build time, its output goes to the
/// log, and a failed run fails the build with the app's own words and leaves no archive.
/// </summary>
public class SmokeRunTests(SmokeApp app, DockerDaemon daemon) : IClassFixture<SmokeApp>, IClassFixture<DockerDaemon>
{
    [Fact]
    public void GoodImagePassesWithItsOutputInTheLogAndATraceOfWhatItOpened()
    {
        var publish = app.Publish([],
            new Dictionary<string, string?> { ["SlimImageSmokeTestArgs"] = "one;two", ["SlimImageSmokeTestExpect"] = "args=one,two" }).EnsureSuccess();
        // The app's own line, run as the image's user in its working folder, at normal verbosity.
        Assert.Matches(@"SLIM5010: smokehello:latest \| hello user=app uid=1654 cwd=/app args=one,two tmp=ok", publish.Output);
        Assert.Matches(@"SLIM5012: Smoke run of smokehello:latest passed in [0-9.]+ s \(namespaces\): it exited with code 0, output matches", publish.Output);
        // strace (build/test.sh installs it): the runtime opened its own files, and the largest unopened ones are named.
        Assert.Matches(@"SLIM5013: .* it opened [1-9][0-9]* of the image's [0-9]+ files", publish.Output);
        Assert.Matches(@"never opened .*\(", publish.Output);
        Assert.True(File.Exists(app.Project.DefaultArchive()), "a passed run keeps the archive");
        AssertNothingLeft();

        // On a base: its layer is unpacked below SlimImage's.
        var onBase = app.Publish("SlimImageBase=busybox", "SlimImageSmokeTestArgs=inside").EnsureSuccess();
        Assert.Matches(@"SLIM5010: smokehello:latest \| inside host-usr=False hostname=slimimage-smoke dev=fd,full,null,random,shm,stderr,stdin,stdout,tty,urandom,zero nets=lo busybox=True",
            onBase.Output);
        AssertNothingLeft();
    }

    [Fact]
    public void CryptoAppWithoutOpenSslFailsWithTheAppsMessageAndTheSettingThatFixesIt()
    {
        var publish = app.Publish("SlimImageOpenSsl=false", "SlimImageSmokeTestArgs=crypto");
        Assert.NotEqual(0, publish.ExitCode);
        Assert.Contains("SLIM5001", publish.ErrorCodes);
        Assert.Matches(@"error SLIM5001: The smoke run of smokehello:latest failed: it exited with code 1[0-9]{2} \(SIG[A-Z]+\), expected 0", publish.Output);
        Assert.Contains("The app said: \"No usable version of libssl was found\"", publish.Output);
        Assert.Contains("Likely fix: OpenSSL is not in the image: set SlimImageOpenSsl=true", publish.Output);
        Assert.False(File.Exists(app.Project.DefaultArchive()), "a failed run leaves no archive behind");
        AssertNothingLeft();

        // The same app with OpenSSL passes, so the failure above was the missing library.
        app.Publish(["SlimImageSmokeTestArgs=crypto"], new Dictionary<string, string?> { ["SlimImageSmokeTestExpect"] = "sha256=[0-9A-F]{64}" }).EnsureSuccess();
        Assert.True(File.Exists(app.Project.DefaultArchive()));
    }

    [Fact]
    public void HungAppIsKilledAtTheTimeoutWithItsWholeNamespace()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var publish = app.Publish("SlimImageSmokeTestArgs=hang", "SlimImageSmokeTestTimeout=3");
        Assert.NotEqual(0, publish.ExitCode);
        Assert.Contains("it was still running after 3 s (SlimImageSmokeTestTimeout) and was killed", publish.Output);
        Assert.Matches(@"SLIM5010: smokehello:latest \| hanging [0-9]+", publish.Output);
        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(3), "the build does not wait for the app");
        Assert.False(File.Exists(app.Project.DefaultArchive()));
        AssertNothingLeft();
    }

    [Fact]
    public void WithoutNamespacesTheImageRunsInDockerWithNoNetworkAndAHungOneIsRemoved()
    {
        var environment = new Dictionary<string, string?> { ["DOCKER_HOST"] = daemon.Host, ["DOCKER_CONTEXT"] = null };
        var publish = app.Publish(["SlimImageSmokeTestRunner=docker", "SlimImageSmokeTestArgs=docker"], environment).EnsureSuccess();
        Assert.Matches(@"SLIM5010: smokehello:latest \| hello user=app uid=1654 cwd=/app args=docker tmp=ok", publish.Output);
        Assert.Matches(@"SLIM5012: Smoke run of smokehello:latest passed in [0-9.]+ s \(docker run --network none\)", publish.Output);

        var hung = app.Publish(["SlimImageSmokeTestRunner=docker", "SlimImageSmokeTestArgs=hang", "SlimImageSmokeTestTimeout=5"], environment);
        Assert.Contains("SLIM5001", hung.ErrorCodes);
        Assert.Contains("it was still running after 5 s (SlimImageSmokeTestTimeout) and was killed", hung.Output);
        Assert.False(File.Exists(app.Project.DefaultArchive()));
        Assert.Equal("", daemon.Docker("ps", "--all", "--quiet").EnsureSuccess().Output.Trim());
    }

    /// <summary>No process of the app, no mount of the run and no unpacked root outlive the build.</summary>
    private void AssertNothingLeft()
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _)))
        {
            string cmdline;
            try { cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' '); }
            catch (IOException) { continue; }
            catch (UnauthorizedAccessException) { continue; }
            Assert.DoesNotContain("/app/SmokeHello", cmdline);
        }
        Assert.DoesNotContain(app.Project.Directory, File.ReadAllText("/proc/self/mountinfo"));
        var output = Path.GetDirectoryName(app.Project.DefaultArchive())!;
        Assert.Empty(Directory.EnumerateDirectories(output, ".slimimage-*"));
    }
}

/// <summary>A server's smoke run: the URL is asked on the image's port from inside its network namespace.</summary>
public class SmokeServerTests
{
    private const string Server = """
        var builder = WebApplication.CreateSlimBuilder(args);
        var app = builder.Build();
        app.MapGet("/healthz", () => "ok as " + Environment.UserName);
        app.Run();
        """;

    [Fact]
    public void WebAppPassesWhenItsHealthEndpointAnswersAndStopsOnSigterm()
    {
        var project = TestProject.Create("SmokeWeb", Server, sdk: "Microsoft.NET.Sdk.Web", properties: new Dictionary<string, string>
        {
            ["InvariantGlobalization"] = "true",
            ["SlimImage"] = "true",
            ["SlimImageSmokeTest"] = "true",
        });
        var publish = project.Publish("-r", "linux-x64", "--self-contained", "-v:n", "-p:SlimImageSmokeTestUrl=/healthz").EnsureSuccess();
        Assert.Matches(@"SLIM5010: smokeweb:latest \| +Now listening on: http://\[::\]:8080", publish.Output);
        Assert.Matches(@"SLIM5012: Smoke run of smokeweb:latest passed in [0-9.]+ s \(namespaces\): GET /healthz answered 'HTTP/1.1 200 OK', then it exited with code 0 on SIGTERM", publish.Output);
        Assert.True(File.Exists(project.DefaultArchive()));

        // A path the app does not serve: the answers are polled until the timeout, and the last one is named.
        var missing = project.Publish("-r", "linux-x64", "--self-contained", "-p:SlimImageSmokeTestUrl=/missing", "-p:SlimImageSmokeTestTimeout=4");
        Assert.Contains("SLIM5001", missing.ErrorCodes);
        Assert.Contains("http://127.0.0.1:8080/missing gave no 2xx answer within 4 s (last: HTTP/1.1 404 Not Found); it was killed", missing.Output);
        Assert.False(File.Exists(project.DefaultArchive()));
    }
}
