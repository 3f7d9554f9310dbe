using System.Text.RegularExpressions;

namespace SlimImage.Smoke;

/// <summary>
/// Reads a failed run's output for the app's own explanation, and names the SlimImage setting that fixes the causes
/// a scratch image is known for: a library the runtime dlopens, ICU, time zone data, a CA, a native library of a
/// package. The messages are the runtime's (dotnet/runtime: opensslshim.c, pal_icushim.c, TimeZoneInfo.Unix.cs,
/// NativeLibrary) and glibc's loader.
/// </summary>
public static partial class FailureHints
{
    private static readonly (Regex Pattern, Func<Match, string> Hint)[] Known =
    [
        (OpenSsl(), _ => "OpenSSL is not in the image: set SlimImageOpenSsl=true (false leaves it out; auto adds it only when the app can load it)"),
        (Icu(), _ => "ICU is not in the image: set InvariantGlobalization=true when the app needs no culture data, or leave it unset so that SlimImage adds ICU"),
        (TimeZone(), _ => "the image has no time zone data: set SlimImageTimeZoneData=true"),
        (Gssapi(), _ => "libgssapi_krb5 is not in the image (Negotiate authentication): set SlimImageKerberos=true"),
        (Certificate(), _ => "the image's CA bundle does not trust the server's certificate: add its CA with a SlimImageCaCertificate item"),
        (DllNotFound(), m => $"the native library '{m.Groups[1].Value}' is not in the image: add it with <SlimImageNativeLibrary Include=\"{m.Groups[1].Value}\" Keep=\"true\" /> (a file of the publish folder) or put its folder into SlimImageLibraryPath (a library of the build machine)"),
        (LoaderMissing(), m => $"the shared library '{m.Groups[1].Value}' is not in the image: put its folder into SlimImageLibraryPath, or add it with a SlimImageNativeLibrary item when it is in the publish folder"),
    ];

    /// <summary>
    /// The line that says what went wrong (a known message, else the unhandled exception, else the last line), and
    /// the setting that fixes it when the cause is known.
    /// </summary>
    public static (string Quote, string? Hint) Explain(string output)
    {
        var lines = output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        foreach (var (pattern, hint) in Known)
            foreach (var line in lines)
                if (pattern.Match(line) is { Success: true } m)
                    return (line, hint(m));
        var unhandled = lines.FirstOrDefault(l => l.StartsWith("Unhandled exception.", StringComparison.Ordinal));
        return (unhandled ?? lines.LastOrDefault() ?? "", null);
    }

    [GeneratedRegex(@"No usable version of libssl was found|libssl\.so[^ ]*: cannot open shared object file")]
    private static partial Regex OpenSsl();

    [GeneratedRegex(@"Couldn't find a valid ICU package|libicu[a-z]*\.so[^ ]*: cannot open shared object file")]
    private static partial Regex Icu();

    [GeneratedRegex(@"TimeZoneNotFoundException|/usr/share/zoneinfo")]
    private static partial Regex TimeZone();

    [GeneratedRegex(@"libgssapi_krb5\.so")]
    private static partial Regex Gssapi();

    [GeneratedRegex(@"certificate chain: (UntrustedRoot|PartialChain)|The remote certificate is invalid")]
    private static partial Regex Certificate();

    [GeneratedRegex(@"Unable to load shared library '([^']+)'")]
    private static partial Regex DllNotFound();

    [GeneratedRegex(@"error while loading shared libraries: ([^:]+): cannot open shared object file")]
    private static partial Regex LoaderMissing();
}
