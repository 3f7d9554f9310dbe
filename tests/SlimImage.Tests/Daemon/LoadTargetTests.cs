using SlimImage.Daemon;
using SlimImage.Diagnostics;
using SlimImage.Tests.Support;
using Xunit;

namespace SlimImage.Tests.Daemon;

/// <summary>SlimImageLoad, LocalRegistry and the choice of client, as the SDK's PublishContainer makes it.</summary>
public class LoadTargetTests
{
    [Theory]
    [InlineData(null, null, null)]
    [InlineData("", "Docker", null)]
    [InlineData("false", "Podman", null)]
    [InlineData("docker", "Podman", DaemonCli.Docker)]
    [InlineData("Podman", null, DaemonCli.Podman)]
    [InlineData("true", "Podman", DaemonCli.Podman)]
    [InlineData("true", "docker", DaemonCli.Docker)]
    public void LoadSettingNamesTheClient(string? load, string? localRegistry, DaemonCli? expected)
    {
        var target = LoadTarget.Parse(load, localRegistry, null);
        if (load is null or "" or "false")
            Assert.Null(target);
        else
            Assert.Equal(expected, target!.Cli);
    }

    [Fact]
    public void TrueWithoutLocalRegistryDetectsAndDefaultsToTenMinutes()
    {
        var target = LoadTarget.Parse("true", "", "")!;
        Assert.Null(target.Cli);
        Assert.Equal(TimeSpan.FromMinutes(10), target.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(30), LoadTarget.Parse("docker", null, "30")!.Timeout);
    }

    [Theory]
    [InlineData("containerd", null, null, "SLIM1050", "SlimImageLoad")]
    [InlineData("true", "Rancher", null, "SLIM1050", "LocalRegistry")]
    [InlineData("docker", null, "0", "SLIM1051", "'0'")]
    [InlineData("docker", null, "ten", "SLIM1051", "'ten'")]
    public void BadValuesAreErrorsNamingTheProperty(string load, string? localRegistry, string? timeout, string code, string named)
    {
        var e = Assert.Throws<SlimException>(() => LoadTarget.Parse(load, localRegistry, timeout));
        Assert.Equal(code, e.Code);
        Assert.Contains(named, e.Message);
    }

    /// <summary>Real executables on a PATH made for the test: the locator runs the docker it finds to ask what it is.</summary>
    [Theory]
    [InlineData(true, false, false, null, DaemonCli.Docker)]
    [InlineData(false, true, false, null, DaemonCli.Podman)]
    [InlineData(true, true, false, null, DaemonCli.Docker)]
    [InlineData(true, true, true, null, DaemonCli.Podman)]   // podman-docker: `docker` is podman in a trenchcoat
    [InlineData(true, true, false, DaemonCli.Podman, DaemonCli.Podman)]
    public void DetectionPrefersDockerUnlessDockerIsPodman(bool docker, bool podman, bool dockerIsPodman, DaemonCli? wanted, DaemonCli expected)
    {
        var bin = Repo.NewTempDir("bin");
        if (docker) Script(bin, "docker", dockerIsPodman ? "podman version 4.3.1" : "Docker version 28.2.2, build e6534b4");
        if (podman) Script(bin, "podman", "podman version 4.3.1");
        var cli = CliLocator.Resolve(wanted, n => n == "PATH" ? bin : null);
        Assert.Equal(expected, cli.Cli);
        Assert.Equal(Path.Combine(bin, cli.Name), cli.Path);
    }

    [Fact]
    public void NoClientIsAnErrorNamingWhatWasSearched()
    {
        var bin = Repo.NewTempDir("bin");
        File.WriteAllText(Path.Combine(bin, "docker"), "not executable");
        var e = Assert.Throws<SlimException>(() => CliLocator.Resolve(null, n => n == "PATH" ? bin : null));
        Assert.Equal("SLIM3700", e.Code);
        Assert.Contains(bin, e.Message);
        Assert.Contains("docker.io", e.Message);
        e = Assert.Throws<SlimException>(() => CliLocator.Resolve(DaemonCli.Podman, n => n == "PATH" ? bin : null));
        Assert.Contains("'podman' was not found", e.Message);
    }

    [Fact]
    public void TheEndpointNamedInMessagesIsTheOneTheClientUses()
    {
        Assert.Contains("unix:///x.sock (DOCKER_HOST)", CliLocator.Endpoint(DaemonCli.Docker, n => n == "DOCKER_HOST" ? "unix:///x.sock" : null));
        Assert.Contains("/var/run/docker.sock", CliLocator.Endpoint(DaemonCli.Docker, _ => null));
        Assert.Contains("tcp://127.0.0.1:9 (CONTAINER_HOST)", CliLocator.Endpoint(DaemonCli.Podman, n => n == "CONTAINER_HOST" ? "tcp://127.0.0.1:9" : null));
    }

    private static void Script(string bin, string name, string version)
    {
        var path = Path.Combine(bin, name);
        File.WriteAllText(path, $"#!/bin/sh\necho '{version}'\n");
        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
    }
}

/// <summary>The SDK's properties SlimImage does not honour are named, once each, in a stable order.</summary>
public class SdkContainerPropertiesTests
{
    [Fact]
    public void OnlyPropertiesThatAreSetAndNotHonouredAreNamed()
    {
        var unused = SlimImage.Pipeline.SdkContainerProperties.Unused(
        [
            KeyValuePair.Create("ContainerFamily", " noble-chiseled "),
            // Honoured since the generated labels are written.
            KeyValuePair.Create("ContainerDescription", "an app"),
            // Honoured since SlimImageRuntimeIdentifiers builds an index of several platforms.
            KeyValuePair.Create("ContainerRuntimeIdentifiers", "linux-x64;linux-arm64"),
            KeyValuePair.Create("ContainerPublishInParallel", "false"),
            // Honoured since SlimImageImageFormat exists.
            KeyValuePair.Create("ContainerImageFormat", "Docker"),
            KeyValuePair.Create("ContainerRepository", "team/app"),
        ]).ToList();
        Assert.Equal(["ContainerFamily"], unused.Select(u => u.Name));
        Assert.Equal("noble-chiseled", unused[0].Value);
        Assert.Contains("SlimImageBase", unused[0].Why);
    }
}
