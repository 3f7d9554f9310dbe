namespace SlimImage.Registry.Credentials;

/// <summary>
/// A user name and secret for one registry, with where they came from. <see cref="ToString"/> never shows the
/// secret, so a credential that ends up in a message, a log or an exception stays harmless.
/// </summary>
/// <param name="UserName">The user; <c>&lt;token&gt;</c> when <see cref="Secret"/> is an identity (refresh) token,
/// as docker's credential helpers return it.</param>
/// <param name="Secret">Password, access token or identity token.</param>
/// <param name="Source">Where it came from, for messages: "SLIMIMAGE_REGISTRY_USER", "~/.docker/config.json auths", …</param>
public sealed record RegistryCredential(string UserName, string Secret, string Source)
{
    /// <summary>docker-credential-helpers' user name for an identity token (credentials/credentials.go).</summary>
    public const string IdentityTokenUser = "<token>";

    public bool IsIdentityToken => UserName == IdentityTokenUser;

    /// <summary>The value of a Basic Authorization header (RFC 7617).</summary>
    public string BasicValue() => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(UserName + ":" + Secret));

    public override string ToString() => $"{UserName} (from {Source})";
}

/// <summary>Finds the credential for a registry host (host[:port] as in SlimImageRegistry); null is anonymous.</summary>
public interface ICredentialSource
{
    RegistryCredential? Find(string registry);
}

/// <summary>No credentials at all.</summary>
public sealed class AnonymousCredentials : ICredentialSource
{
    public static readonly AnonymousCredentials Instance = new();

    public RegistryCredential? Find(string registry) => null;
}
