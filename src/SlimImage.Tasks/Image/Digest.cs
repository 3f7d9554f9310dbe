using System.Security.Cryptography;

namespace SlimImage.Image;

/// <summary>
/// A content digest, a value type as go-containerregistry's <c>Hash</c>. Only <c>sha256:</c> with 64 and
/// <c>sha512:</c> with 128 lower-case hex digits exist (image-spec descriptor.md "Registered algorithms"): a digest
/// names blob files in the cache, the scratch folder and archives, so anything else (a '/', "..", upper case, an
/// unknown algorithm) is refused where it is parsed and no instance ever holds it.
/// </summary>
public readonly record struct Digest
{
    private Digest(string algorithm, string hex)
    {
        Algorithm = algorithm;
        Hex = hex;
    }

    /// <summary><c>sha256</c> or <c>sha512</c>.</summary>
    public string Algorithm { get; }

    /// <summary>The lower-case hex digits: safe as a file name.</summary>
    public string Hex { get; }

    public static Digest Sha256(ReadOnlySpan<byte> hash) =>
        hash.Length == 32 ? new("sha256", Convert.ToHexString(hash).ToLowerInvariant()) : throw new ArgumentException("A sha256 hash has 32 bytes.", nameof(hash));

    public static Digest Of(ReadOnlySpan<byte> content) => Sha256(SHA256.HashData(content));

    /// <summary>
    /// Parses <paramref name="text"/>, or throws <see cref="InvalidDigestException"/> naming <paramref name="field"/>,
    /// where the text came from: "layers[2].digest".
    /// </summary>
    public static Digest Parse(string? text, string field = "a digest") =>
        TryParse(text, out var digest) ? digest : throw new InvalidDigestException(field, text);

    public static bool TryParse(string? text, out Digest digest)
    {
        digest = default;
        if (text == null) return false;
        var colon = text.IndexOf(':');
        var (algorithm, length) = colon switch
        {
            6 when text.StartsWith("sha256", StringComparison.Ordinal) => ("sha256", 64),
            6 when text.StartsWith("sha512", StringComparison.Ordinal) => ("sha512", 128),
            _ => (null, 0),
        };
        if (algorithm == null || text.Length != colon + 1 + length) return false;
        foreach (var c in text.AsSpan(colon + 1))
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f')) return false;
        digest = new Digest(algorithm, text[(colon + 1)..]);
        return true;
    }

    public override string ToString() => Algorithm + ":" + Hex;
}

/// <summary>
/// A digest that is not <c>sha256:</c> + 64 or <c>sha512:</c> + 128 lower-case hex digits. A <see cref="FormatException"/>,
/// so readers that turn bad JSON into a SLIM error still do; those that know the document name it with <see cref="Field"/>.
/// </summary>
public sealed class InvalidDigestException(string field, string? value)
    : FormatException($"{field} is not a valid digest: '{Shorten(value)}'")
{
    /// <summary>Where in its document the value was, e.g. "layers[2].digest".</summary>
    public string Field { get; } = field;

    /// <summary>The value, cut to 100 characters for messages.</summary>
    public string Value { get; } = Shorten(value);

    internal static string Shorten(string? value) =>
        value == null ? "(none)" : value.Length > 100 ? value[..100] + "…" : value;
}
