using System.Security.Cryptography;

namespace SlimImage.Image;

/// <summary>A content digest (<c>sha256:hex</c>), a value type as go-containerregistry's <c>Hash</c>.</summary>
public readonly record struct Digest(string Algorithm, string Hex)
{
    public static Digest Sha256(ReadOnlySpan<byte> hash) => new("sha256", Convert.ToHexString(hash).ToLowerInvariant());

    public static Digest Of(ReadOnlySpan<byte> content) => Sha256(SHA256.HashData(content));

    public static Digest Parse(string text)
    {
        var colon = text.IndexOf(':');
        if (colon <= 0 || text[(colon + 1)..].Length == 0)
            throw new FormatException($"Not a digest: '{text}'.");
        return new Digest(text[..colon], text[(colon + 1)..]);
    }

    public override string ToString() => Algorithm + ":" + Hex;
}
