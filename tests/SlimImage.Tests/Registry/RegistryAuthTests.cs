using System.Text;
using SlimImage.Diagnostics;
using SlimImage.Registry;
using SlimImage.Registry.Credentials;
using SlimImage.Tests.Support;
using Xunit;
using static SlimImage.Tests.Registry.RegistryTestKit;

namespace SlimImage.Tests.Registry;

/// <summary>Anonymous, Basic (htpasswd) and bearer-token registries; credentials from each place they come from.</summary>
public class RegistryAuthTests
{
    private static CredentialChain Env(string? registry, Dictionary<string, string?> vars, string? home = null) =>
        new(name => vars.GetValueOrDefault(name) ?? (name == "HOME" ? home : null), registry,
            () => DockerConfig.Load(name => vars.GetValueOrDefault(name) ?? (name == "HOME" ? home : null)), _ => { });

    [Fact]
    public void BasicAuthRegistryTakesTheEnvironmentCredentialsAndRefusesWrongOnes()
    {
        using var dir = new ScratchDir();
        using var registry = LocalRegistry.Start(RegistryAuth.Htpasswd);
        var image = TestImages.Small(dir);
        var reports = new Reports();

        var good = Env(registry.Host, new() { ["SLIMIMAGE_REGISTRY_USER"] = LocalRegistry.User, ["SLIMIMAGE_REGISTRY_PASSWORD"] = LocalRegistry.Password });
        var result = ImagePusher.Push(image, registry.Host, "private/app", ["1"], Settings(dir, good), reports.Add, default);
        Assert.Equal(3, result.Uploaded);
        Assert.Equal(image.Manifest.Digest.ToString(),
            SkopeoPull($"{registry.Host}/private/app:1", $"{LocalRegistry.User}:{LocalRegistry.Password}").ManifestDigest);

        // The SDK's variable names work too.
        var sdk = Env(registry.Host, new() { ["DOTNET_CONTAINER_REGISTRY_UNAME"] = LocalRegistry.User, ["DOTNET_CONTAINER_REGISTRY_PWORD"] = LocalRegistry.Password });
        Assert.Equal(3, ImagePusher.Push(image, registry.Host, "private/app", ["2"], Settings(dir, sdk), reports.Add, default).Existing);

        var wrong = Env(registry.Host, new() { ["SLIMIMAGE_REGISTRY_USER"] = LocalRegistry.User, ["SLIMIMAGE_REGISTRY_PASSWORD"] = "not-the-password" });
        var e = Fails(() => ImagePusher.Push(TestImages.Small(dir, "other"), registry.Host, "private/app", ["1"], Settings(dir, wrong), reports.Add, default));
        Assert.Equal("SLIM4001", e.Code);
        Assert.Contains($"'{registry.Host}'", e.Message);
        Assert.Contains("'private/app'", e.Message);
        Assert.Contains($"'{LocalRegistry.User}' from SLIMIMAGE_REGISTRY_USER/SLIMIMAGE_REGISTRY_PASSWORD", e.Message);
        Assert.Contains("docker login", e.Message);
        Assert.DoesNotContain("not-the-password", e.ToString());

        var none = Fails(() => ImagePusher.Push(image, registry.Host, "private/app", ["1"], Settings(dir), reports.Add, default));
        Assert.Equal("SLIM4001", none.Code);
        Assert.Contains("anonymous", none.Message);

        Assert.Equal(image.Manifest.Digest.ToString(), TagDigest(registry.Host, "private/app", "1", $"{LocalRegistry.User}:{LocalRegistry.Password}"));
        Assert.DoesNotContain(LocalRegistry.Password, reports.Text);
    }

    [Fact]
    public void BearerTokenFlowGetsScopedTokensAndMountsAcrossRepositories()
    {
        using var dir = new ScratchDir();
        using var tokens = new TokenService();
        using var registry = LocalRegistry.Start(RegistryAuth.Token, tokens);
        using var proxy = new RegistryProxy(registry.Host);
        var image = TestImages.Small(dir);
        var creds = Env(proxy.Host, new() { ["SLIMIMAGE_REGISTRY_USER"] = LocalRegistry.User, ["SLIMIMAGE_REGISTRY_PASSWORD"] = LocalRegistry.Password });

        Assert.Equal(3, ImagePusher.Push(image, proxy.Host, "team/one", ["latest"], Settings(dir, creds), _ => { }, default).Uploaded);
        Assert.Contains("repository:team/one:pull,push", tokens.GrantedScopes);

        var mounted = ImagePusher.Push(image, proxy.Host, "team/two", ["latest"], Settings(dir, creds), _ => { }, default);
        Assert.Equal(3, mounted.Mounted);
        Assert.Contains("repository:team/one:pull", tokens.GrantedScopes); // the mount's source needs a pull scope

        // An identity token from docker's config.json goes through the OAuth2 refresh-token grant.
        var home = dir.Combine("home");
        Directory.CreateDirectory(Path.Combine(home, ".docker"));
        File.WriteAllText(Path.Combine(home, ".docker", "config.json"),
            "{\"auths\":{\"" + proxy.Host + "\":{\"identitytoken\":\"" + TokenService.IdentityToken + "\"}}}");
        var identity = Env(null, [], home);
        Assert.Equal(3, ImagePusher.Push(image, proxy.Host, "team/three", ["latest"], Settings(dir, identity), _ => { }, default).Mounted);

        var wrong = Env(proxy.Host, new() { ["SLIMIMAGE_REGISTRY_USER"] = LocalRegistry.User, ["SLIMIMAGE_REGISTRY_PASSWORD"] = "wrong" });
        var e = Fails(() => ImagePusher.Push(image, proxy.Host, "team/four", ["latest"], Settings(dir, wrong), _ => { }, default));
        Assert.Equal("SLIM4001", e.Code);
        Assert.Contains("'team/four'", e.Message);

        // Without credentials the token service refuses too, and that is SLIM4001 as well (not a crash).
        var anonymous = Fails(() => ImagePusher.Push(image, proxy.Host, "team/five", ["latest"], Settings(dir), _ => { }, default));
        Assert.Equal("SLIM4001", anonymous.Code);
    }

    [Fact]
    public void DockerConfigAuthsAndCredentialHelpers()
    {
        using var dir = new ScratchDir();
        using var registry = LocalRegistry.Start(RegistryAuth.Htpasswd);
        var image = TestImages.Small(dir);
        var home = dir.Combine("home");
        var bin = dir.Combine("bin");
        Directory.CreateDirectory(Path.Combine(home, ".docker"));
        Directory.CreateDirectory(bin);
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{LocalRegistry.User}:{LocalRegistry.Password}"));
        void Config(string json) => File.WriteAllText(Path.Combine(home, ".docker", "config.json"), json);
        var path = bin + ":" + Environment.GetEnvironmentVariable("PATH");
        RegistrySettings With(string? helperPath = null) =>
            Settings(dir, Env(null, new() { ["PATH"] = helperPath ?? path }, home));

        // auths, keyed with a scheme as docker login writes for some registries.
        Config("{\"auths\":{\"http://" + registry.Host + "\":{\"auth\":\"" + auth + "\"}}}");
        Assert.Equal(3, ImagePusher.Push(image, registry.Host, "cfg/app", ["1"], With(), _ => { }, default).Uploaded);

        // credHelpers: docker-credential-<name> get, server on stdin, JSON out.
        var helper = Path.Combine(bin, "docker-credential-slimtest");
        File.WriteAllText(helper, $$"""
            #!/bin/sh
            read server
            echo "$server" > "{{dir.Combine("helper-asked")}}"
            echo '{"ServerURL":"'"$server"'","Username":"{{LocalRegistry.User}}","Secret":"{{LocalRegistry.Password}}"}'
            """);
        File.SetUnixFileMode(helper, (UnixFileMode)0b111_101_101);
        Config("{\"credHelpers\":{\"" + registry.Host + "\":\"slimtest\"}}");
        Assert.Equal(3, ImagePusher.Push(image, registry.Host, "cfg/app", ["2"], With(), _ => { }, default).Existing);
        Assert.Equal(registry.Host, File.ReadAllText(dir.Combine("helper-asked")).Trim());

        // credsStore whose program is missing: a note, then auths.
        Config("{\"credsStore\":\"not-installed\",\"auths\":{\"" + registry.Host + "\":{\"auth\":\"" + auth + "\"}}}");
        var reports = new Reports();
        ImagePusher.Push(image, registry.Host, "cfg/app", ["3"], Settings(dir, new CredentialChain(
            n => n == "HOME" ? home : n == "PATH" ? path : null, null, () => DockerConfig.Load(n => n == "HOME" ? home : null), reports.Add)), reports.Add, default);
        Assert.Contains(reports.Of("SLIM4105"), m => m.Contains("docker-credential-not-installed"));

        // A helper that fails is SLIM4012 naming it, and its output (which may hold a secret) is not repeated.
        File.WriteAllText(helper, "#!/bin/sh\necho 'leaked-secret-on-stdout'\necho 'keychain locked' >&2\nexit 3\n");
        Config("{\"credHelpers\":{\"" + registry.Host + "\":\"slimtest\"}}");
        var e = Fails(() => ImagePusher.Push(image, registry.Host, "cfg/app", ["4"], With(), _ => { }, default));
        Assert.Equal("SLIM4012", e.Code);
        Assert.Contains("docker-credential-slimtest", e.Message);
        Assert.True(e.Message.Contains("keychain locked"), e.Message);
        Assert.DoesNotContain("leaked-secret", e.Message);

        Config("{ not json");
        Assert.Equal("SLIM4013", Fails(() => ImagePusher.Push(image, registry.Host, "cfg/app", ["5"], With(), _ => { }, default)).Code);
    }

    [Fact]
    public void EnvironmentCredentialsGoOnlyToTheirRegistry()
    {
        var vars = new Dictionary<string, string?> { ["SLIMIMAGE_REGISTRY_USER"] = "u", ["SLIMIMAGE_REGISTRY_PASSWORD"] = "p" };
        var chain = Env("push.example.com", vars);
        Assert.Equal("u", chain.Find("push.example.com")?.UserName);
        Assert.Null(chain.Find("docker.io")); // never sent to the base's registry
        Assert.Equal("u", Env(null, vars).Find("any.example.com")?.UserName);
        var half = Assert.Throws<SlimException>(() => Env(null, new() { ["SLIMIMAGE_REGISTRY_USER"] = "u" }).Find("x"));
        Assert.Equal("SLIM1505", half.Code);
        Assert.DoesNotContain("hunter2", new RegistryCredential("user", "hunter2", "test").ToString());
    }
}
