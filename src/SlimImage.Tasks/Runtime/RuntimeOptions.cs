using System.Text.RegularExpressions;
using SlimImage.Diagnostics;

namespace SlimImage.Runtime;

/// <summary>SlimImageOpenSsl: <c>auto</c> puts OpenSSL in when the app can load it; <c>true</c> and <c>false</c> decide.</summary>
public enum OpenSslMode { Auto, Include, Exclude }

/// <summary>Reads and checks the properties and items that decide what of the runtime's world goes into the image.</summary>
public static partial class RuntimeOptions
{
    /// <summary>Parses SlimImageOpenSsl (<c>auto</c>, <c>true</c>, <c>false</c>; empty is auto). Throws SLIM1200.</summary>
    public static OpenSslMode ParseOpenSsl(string? value) => (value ?? "").Trim().ToLowerInvariant() switch
    {
        "" or "auto" => OpenSslMode.Auto,
        "true" => OpenSslMode.Include,
        "false" => OpenSslMode.Exclude,
        _ => throw new SlimException("SLIM1200", value),
    };

    /// <summary>Every SlimImageCaCertificate must exist and hold a PEM certificate (SLIM1201, SLIM1202).</summary>
    public static void Validate(IReadOnlyList<string> caCertificates)
    {
        foreach (var file in caCertificates)
        {
            if (!File.Exists(file))
                throw new SlimException("SLIM1201", file);
            if (CertificateBlocks(FileSystem.HostFile.ReadAllText(file, "SlimImageCaCertificate")).Count == 0)
                throw new SlimException("SLIM1202", file);
        }
    }

    /// <summary>
    /// The certificate blocks of a PEM file, each ending with a newline. Only certificates go into the bundle: a private
    /// key that shares the file must never reach an image.
    /// </summary>
    public static IReadOnlyList<string> CertificateBlocks(string pem) =>
        CertificatePattern().Matches(pem).Select(m => m.Value.Replace("\r\n", "\n") + "\n").ToList();

    [GeneratedRegex(@"-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+-----END CERTIFICATE-----", RegexOptions.CultureInvariant)]
    private static partial Regex CertificatePattern();
}
