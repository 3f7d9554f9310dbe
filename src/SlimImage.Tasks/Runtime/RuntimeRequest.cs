namespace SlimImage.Runtime;

/// <summary>
/// What decides the runtime's needs (<c>RuntimeDependencies.Find</c>): the project's globalization mode and
/// SlimImage's OpenSSL, CA, Kerberos and time zone settings, the sysroot, and the image's environment (an OpenSSL
/// version pinned there is what the shim tries first).
/// </summary>
public sealed record RuntimeRequest
{
    public string Sysroot { get; init; } = "/";
    public bool InvariantGlobalization { get; init; }
    public OpenSslMode OpenSsl { get; init; } = OpenSslMode.Auto;
    /// <summary>SlimImageCaCertificate: host PEM files whose certificates are appended to the image's CA bundle.</summary>
    public IReadOnlyList<string> CaCertificates { get; init; } = [];
    public bool Kerberos { get; init; }
    public bool TimeZoneData { get; init; }
    public IReadOnlyList<KeyValuePair<string, string>> Environment { get; init; } = [];
    /// <summary>Image paths the user's own files (SlimImageFile) fill, so data-file hints skip them.</summary>
    public IReadOnlyList<string> UserPaths { get; init; } = [];
}
