using System.Net;
using System.Text.RegularExpressions;
using SlimImage.Diagnostics;
using SlimImage.Oci;

namespace SlimImage.Registry;

/// <summary>
/// A reference to an image in a registry, <c>registry/repository:tag</c> or <c>registry/repository@sha256:…</c>,
/// normalised as the docker CLI does (distribution/reference <c>normalize.go</c>): a first component with a '.' or a
/// ':' or <c>localhost</c> is the registry, else Docker Hub, where a single name gets <c>library/</c>.
/// </summary>
/// <param name="Registry">The registry as the user wrote it, e.g. <c>127.0.0.1:5000</c>, <c>docker.io</c>.</param>
/// <param name="Repository">e.g. <c>library/ubuntu</c>.</param>
/// <param name="Tag">The tag, or null when only a digest is given.</param>
/// <param name="Digest">The manifest (or index) digest, when given.</param>
public sealed partial record ImageReference(string Registry, string Repository, string? Tag, Digest? Digest)
{
    public const string DockerHub = "docker.io";

    // OCI distribution spec, "Pulling manifests": <name> components and <reference> tags.
    [GeneratedRegex("^[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*)*$")]
    private static partial Regex RepositoryPattern();

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$")]
    private static partial Regex TagPattern();

    /// <summary>A repository as the distribution spec allows it (components of lower-case letters and digits, joined by separators).</summary>
    public static bool IsRepository(string repository) => RepositoryPattern().IsMatch(repository);

    /// <summary>A tag as the distribution spec allows it: up to 128 of [A-Za-z0-9_.-], not starting with '.' or '-'.</summary>
    public static bool IsTag(string tag) => TagPattern().IsMatch(tag);

    [GeneratedRegex("^sha256:[a-f0-9]{64}$")]
    private static partial Regex DigestPattern();

    /// <summary>What to ask for: the digest when there is one (immutable), else the tag.</summary>
    public string ManifestReference => Digest?.ToString() ?? Tag ?? "latest";

    public override string ToString() =>
        $"{Registry}/{Repository}" + (Tag != null ? ":" + Tag : "") + (Digest is { } d ? "@" + d : "");

    /// <summary>Parses <paramref name="text"/>; null when it is not a registry reference.</summary>
    public static ImageReference? TryParse(string text)
    {
        text = text.Trim();
        if (text.Length == 0 || text.Contains("://", StringComparison.Ordinal)) return null;
        Digest? digest = null;
        var at = text.IndexOf('@');
        if (at >= 0)
        {
            if (!DigestPattern().IsMatch(text[(at + 1)..])) return null;
            digest = Oci.Digest.Parse(text[(at + 1)..]);
            text = text[..at];
        }
        string? tag = null;
        var colon = text.LastIndexOf(':');
        if (colon > text.LastIndexOf('/') && colon > text.LastIndexOf(']'))
        {
            tag = text[(colon + 1)..];
            text = text[..colon];
            if (!IsTag(tag)) return null;
        }
        var slash = text.IndexOf('/');
        string registry;
        string repository;
        if (slash > 0 && LooksLikeHost(text[..slash]))
        {
            registry = text[..slash];
            repository = text[(slash + 1)..];
        }
        else
        {
            registry = DockerHub;
            repository = text.Contains('/') ? text : "library/" + text;
        }
        if (registry is "index.docker.io" or "registry-1.docker.io") registry = DockerHub;
        if (!RegistryHost.IsValid(registry) || repository.Length > 255 || !IsRepository(repository)) return null;
        if (tag == null && digest == null) tag = "latest";
        return new ImageReference(registry, repository, tag, digest);
    }

    /// <summary>Parses a SlimImageBase value, or throws SLIM1503.</summary>
    public static ImageReference Parse(string text) => TryParse(text) ?? throw new SlimException("SLIM1503", text);

    private static bool LooksLikeHost(string first) =>
        first.Contains('.') || first.Contains(':') || first == "localhost" || first.StartsWith('[') || first.Any(char.IsUpper);
}

/// <summary>The host[:port] of a registry: validation and how to reach it.</summary>
public static partial class RegistryHost
{
    [GeneratedRegex(@"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$")]
    private static partial Regex HostPattern();

    /// <summary>host, host:port, IPv4 or [IPv6], with no scheme and no path.</summary>
    public static bool IsValid(string host) => host.Length <= 255 && HostPattern().IsMatch(host);

    /// <summary>The host without its port (brackets of an IPv6 address removed).</summary>
    public static string Name(string host)
    {
        if (host.StartsWith('['))
            return host[1..host.IndexOf(']')];
        var colon = host.LastIndexOf(':');
        return colon > 0 ? host[..colon] : host;
    }

    /// <summary>localhost, 127.0.0.0/8 and ::1: the only hosts spoken to in plain HTTP without being listed.</summary>
    public static bool IsLoopback(string host)
    {
        var name = Name(host);
        return name.Equals("localhost", StringComparison.OrdinalIgnoreCase)
               || (IPAddress.TryParse(name, out var ip) && IPAddress.IsLoopback(ip));
    }

    /// <summary>
    /// The base URI of the distribution API: HTTPS, except for loopback hosts and those in
    /// <paramref name="insecure"/> (SlimImageInsecureRegistries, matched as host:port or host).
    /// Docker Hub's API lives at registry-1.docker.io.
    /// </summary>
    public static Uri BaseUri(string host, IReadOnlyCollection<string> insecure)
    {
        var api = host == ImageReference.DockerHub ? "registry-1.docker.io" : host;
        var plain = IsLoopback(host) || insecure.Any(i =>
            string.Equals(i, host, StringComparison.OrdinalIgnoreCase) || string.Equals(i, Name(host), StringComparison.OrdinalIgnoreCase));
        return new Uri((plain ? "http://" : "https://") + api + "/");
    }

    /// <summary>Whether plain HTTP may be used for <paramref name="uri"/> (e.g. a token realm).</summary>
    public static bool MaySendSecrets(Uri uri, IReadOnlyCollection<string> insecure) =>
        uri.Scheme == Uri.UriSchemeHttps || IsLoopback(uri.Authority) || insecure.Any(i =>
            string.Equals(i, uri.Authority, StringComparison.OrdinalIgnoreCase) || string.Equals(i, uri.Host, StringComparison.OrdinalIgnoreCase));
}
