using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using SlimImage.Registry;
using SlimImage.Tests.Support;
using Xunit;
using static SlimImage.Tests.Registry.RegistryTestKit;

namespace SlimImage.Tests.Registry;

/// <summary>Every way a registry can fail is a SLIM error naming registry and repository, never a crash.</summary>
public class RegistryFailureTests
{
    [Fact]
    public void UnknownHostIsSlim4004AtOnce()
    {
        using var dir = new ScratchDir();
        var clock = Stopwatch.StartNew();
        var e = Fails(() => ImagePusher.Push(TestImages.Small(dir), "no-such-registry.invalid", "slim/app", ["latest"],
            Settings(dir) with { InsecureRegistries = ["no-such-registry.invalid"] }, _ => { }, default));
        Assert.Equal("SLIM4004", e.Code);
        Assert.Contains("'no-such-registry.invalid'", e.Message);
        Assert.Contains("does not resolve", e.Message);
        Assert.Contains("'slim/app'", e.Message);
        Assert.Contains("SlimImageRegistry", e.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
    }

    [Fact]
    public void RefusedConnectionIsRetriedThenSlim4004()
    {
        using var dir = new ScratchDir();
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nobody listens there now

        var e = Fails(() => ImagePusher.Push(TestImages.Small(dir), $"127.0.0.1:{port}", "slim/app", ["latest"], Settings(dir), _ => { }, default));

        Assert.Equal("SLIM4004", e.Code);
        Assert.Contains($"'127.0.0.1:{port}' (http://127.0.0.1:{port}/)", e.Message);
        Assert.Contains("Tried 3 time(s)", e.Message);
    }

    [Fact]
    public void RegistryThatNeverAnswersIsSlim4005()
    {
        using var dir = new ScratchDir();
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start(); // accepts connections (the kernel does) but never answers
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var options = Fast with { RequestTimeout = TimeSpan.FromSeconds(1), MaxAttempts = 2 };
            var e = Fails(() => ImagePusher.Push(TestImages.Small(dir), $"127.0.0.1:{port}", "slim/app", ["latest"], Settings(dir, options: options), _ => { }, default));
            Assert.Equal("SLIM4005", e.Code);
            Assert.Contains($"127.0.0.1:{port}", e.Message);
            Assert.Contains("'slim/app'", e.Message);
            Assert.Contains("tried 1 time(s)", e.Message); // a timeout is not tried again: one timeout, not MaxAttempts of them
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public void RegistryStoppedHalfWayLeavesEveryTagWhereItWas()
    {
        using var dir = new ScratchDir();
        using var registry = LocalRegistry.Start();
        using var proxy = new RegistryProxy(registry.Host);
        var stable = TestImages.Small(dir, "stable build");
        ImagePusher.Push(stable, proxy.Host, "slim/app", ["stable"], Settings(dir), _ => { }, default);

        // The next push loses its registry right after its first blob is in.
        proxy.Clear();
        proxy.After = r =>
        {
            if (r.UploadedDigest != null) registry.Stop();
        };
        var next = TestImages.Small(dir, "next build");
        var e = Fails(() => ImagePusher.Push(next, proxy.Host, "slim/app", ["stable", "next"], Settings(dir), _ => { }, default));
        proxy.After = null;

        Assert.Equal("SLIM4004", e.Code);
        Assert.Contains(proxy.Host, e.Message);
        Assert.Contains("'slim/app'", e.Message);
        Assert.Contains(" while ", e.Message); // says what it was doing
        Assert.DoesNotContain(proxy.Requests, r => r.Method == "PUT" && r.Path.Contains("/manifests/"));

        registry.StartProcess();
        Assert.Equal(stable.Manifest.Digest.ToString(), TagDigest(registry.Host, "slim/app", "stable"));
        Assert.Null(TagDigest(registry.Host, "slim/app", "next"));
        Assert.Equal(stable.Manifest.Digest.ToString(), SkopeoPull($"{registry.Host}/slim/app:stable").ManifestDigest);

        // With the registry back, the same push completes and uploads only what is still missing.
        proxy.Clear();
        var done = ImagePusher.Push(next, proxy.Host, "slim/app", ["stable", "next"], Settings(dir), _ => { }, default);
        Assert.Equal((1, 2), (done.Uploaded, done.Existing));
        Assert.Equal(next.Manifest.Digest.ToString(), TagDigest(registry.Host, "slim/app", "next"));
    }

    [Fact]
    public void PlainHttpOnlyForLoopbackAndListedHosts()
    {
        Assert.Equal("https://registry.example.com/", RegistryHost.BaseUri("registry.example.com", []).ToString());
        Assert.Equal("https://registry.example.com:5000/", RegistryHost.BaseUri("registry.example.com:5000", []).ToString());
        Assert.Equal("https://registry-1.docker.io/", RegistryHost.BaseUri("docker.io", []).ToString());
        Assert.Equal("http://localhost:5000/", RegistryHost.BaseUri("localhost:5000", []).ToString());
        Assert.Equal("http://127.0.0.1:5000/", RegistryHost.BaseUri("127.0.0.1:5000", []).ToString());
        Assert.Equal("http://127.1.2.3/", RegistryHost.BaseUri("127.1.2.3", []).ToString());
        Assert.Equal("http://[::1]:5000/", RegistryHost.BaseUri("[::1]:5000", []).ToString());
        Assert.Equal("http://registry.lan:5000/", RegistryHost.BaseUri("registry.lan:5000", ["registry.lan:5000"]).ToString());
        Assert.Equal("http://registry.lan:5000/", RegistryHost.BaseUri("registry.lan:5000", ["registry.lan"]).ToString());
        Assert.Equal("https://registry.lan:5000/", RegistryHost.BaseUri("registry.lan:5000", ["registry.lan:6000"]).ToString());
        Assert.Equal("https://localhost.example.com/", RegistryHost.BaseUri("localhost.example.com", []).ToString());
        Assert.False(RegistryHost.MaySendSecrets(new Uri("http://auth.example.com/token"), []));
        Assert.True(RegistryHost.MaySendSecrets(new Uri("https://auth.example.com/token"), []));
        Assert.True(RegistryHost.MaySendSecrets(new Uri("http://127.0.0.1:9000/token"), []));
    }

    [Fact]
    public void ARemoteHostIsSpokenToInHttpsAndAPlainHttpServerThereIsSlim4008WithTheFix()
    {
        using var dir = new ScratchDir();
        using var registry = LocalRegistry.Start();
        // Every connection lands on the local plain-HTTP registry, whatever host the client thinks it talks to:
        // the client must still choose HTTPS for a host that is neither loopback nor listed as insecure.
        var connects = new List<string>();
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, ct) =>
            {
                lock (connects) connects.Add(context.DnsEndPoint.ToString());
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(IPAddress.Loopback, registry.Port, ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        var settings = Settings(dir) with { Handler = handler };
        var e = Fails(() => ImagePusher.Push(TestImages.Small(dir), "registry.example.com", "slim/app", ["latest"], settings, _ => { }, default));
        Assert.Equal("SLIM4008", e.Code);
        Assert.Contains("https://registry.example.com/", e.Message);
        Assert.Contains("SlimImageInsecureRegistries", e.Message);
        Assert.Contains("Unspecified/registry.example.com:443", connects);

        // Listed as insecure, the same host is spoken to in plain HTTP, and the push works.
        var pushed = ImagePusher.Push(TestImages.Small(dir), "registry.example.com", "slim/app", ["latest"],
            settings with { InsecureRegistries = ["registry.example.com"] }, _ => { }, default);
        Assert.Equal(3, pushed.Uploaded);
        Assert.Contains("Unspecified/registry.example.com:80", connects);
        handler.Dispose();
    }
}
