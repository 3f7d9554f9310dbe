using System.Security.Cryptography;

namespace SlimImage.Oci;

/// <summary>
/// A content digest, a value type as go-containerregistry's <c>Hash</c>: <c>sha256:</c> and 64 lower-case hex digits
/// (image-spec descriptor.md "Registered algorithms"). A digest names blob files in the cache, the scratch folder and
/// archives, so anything else (a '/', "..", upper case, an unknown algorithm) is refused where it is parsed and no
/// instance ever holds it. sha512, also registered, is refused too: SlimImage checks content with sha256 only, and
/// would otherwise call a sound sha512 blob damaged.
/// </summary>
public readonly record struct Digest
{
    private Digest(string algorithm, string hex)
    {
        Algorithm = algorithm;
        Hex = hex;
    }

    /// <summary><c>sha256</c>.</summary>
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
        const string prefix = "sha256:";
        if (text.Length != prefix.Length + 64 || !text.StartsWith(prefix, StringComparison.Ordinal)) return false;
        foreach (var c in text.AsSpan(prefix.Length))
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f')) return false;
        digest = new Digest("sha256", text[prefix.Length..]);
        return true;
    }

    public override string ToString() => Algorithm + ":" + Hex;
}

/// <summary>
/// A digest that is not <c>sha256:</c> + 64 lower-case hex digits. A <see cref="FormatException"/>,
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
