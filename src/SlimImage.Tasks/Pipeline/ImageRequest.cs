using SlimImage.Base;
using SlimImage.Rootfs;
using SlimImage.Layers;
using SlimImage.Publish;
using SlimImage.Oci;

namespace SlimImage.Pipeline;

/// <summary>An exposed port (<c>SlimImagePort</c>).</summary>
public sealed record ImagePort(int Number, string Type)
{
    public override string ToString() => $"{Number}/{Type}";
}

/// <summary>
/// Everything the core needs to build one image, already read from MSBuild (or a test) and validated by
/// <see cref="RequestValidator"/>. Values from the environment (SOURCE_DATE_EPOCH) are read at the edge and
/// passed in as values, as ko does.
/// </summary>
public sealed record ImageRequest
{
    public required string PublishDirectory { get; init; }
    public required IReadOnlyList<PublishFile> PublishFiles { get; init; }
    public required string RuntimeIdentifier { get; init; }
    public required string AssemblyName { get; init; }
    public string? AppVersion { get; init; }
    public bool InvariantGlobalization { get; init; }
    /// <summary>An ASP.NET Core app (Microsoft.NET.Sdk.Web or a FrameworkReference to Microsoft.AspNetCore.App).</summary>
    public bool WebApp { get; init; }
    /// <summary>SlimImageBase (with SlimImageBusyboxPath), read once.</summary>
    public BaseSource Base { get; init; } = BaseSource.None;
    public required string ArchivePath { get; init; }
    public required string Repository { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = ["latest"];
    public string User { get; init; } = "1654";
    public string WorkingDirectory { get; init; } = "/app";
    /// <summary>SlimImageEntrypoint: the app command (argv); empty: /app/AssemblyName.</summary>
    public IReadOnlyList<string> Entrypoint { get; init; } = [];
    /// <summary>The SDK's command-line model (ContainerAppCommand…, ContainerDefaultArgs, SlimImageCommand).</summary>
    public Image.AppCommandSettings Command { get; init; } = new();
    public IReadOnlyList<KeyValuePair<string, string>> Environment { get; init; } = [];
    public IReadOnlyList<KeyValuePair<string, string>> Labels { get; init; } = [];
    /// <summary>The SDK's generated labels (ContainerGenerateLabels…, Container* values and their fallbacks).</summary>
    public Image.LabelSettings GeneratedLabels { get; init; } = new();
    public IReadOnlyList<ImagePort> Ports { get; init; } = [];
    public IReadOnlyList<ExtraFile> Files { get; init; } = [];
    public IReadOnlyList<string> LibraryPaths { get; init; } = [];
    public string Sysroot { get; init; } = "/";
    public bool IncludeDebugSymbols { get; init; }
    public bool IncludeLttng { get; init; }
    /// <summary>SlimImageTrimDiagnostics: leave out the debugger and dump support of the runtime.</summary>
    public bool TrimDiagnostics { get; init; }
    /// <summary>SlimImageScannerMetadata: write /etc/os-release and /var/lib/dpkg/status.d/ for image scanners.</summary>
    public bool ScannerMetadata { get; init; } = true;
    /// <summary>SlimImageSbom and SlimImageSbomFormat (the SDK turns it on): the SBOM written beside the archive and attached to the image; null: none.</summary>
    public Sbom.SbomFormat? Sbom { get; init; }
    /// <summary>NuGet package folders (NuGetPackageFolders, else NuGetPackageRoot): where the SBOM reads each package's .nuspec.</summary>
    public IReadOnlyList<string> NuGetPackageFolders { get; init; } = [];
    /// <summary>SlimImageOpenSsl: whether libssl, libcrypto and the CA bundle go in (auto: when the app can load them).</summary>
    public Runtime.OpenSslMode OpenSsl { get; init; } = Runtime.OpenSslMode.Auto;
    /// <summary>SlimImageCaCertificate: host PEM files whose certificates are appended to the image's CA bundle.</summary>
    public IReadOnlyList<string> CaCertificates { get; init; } = [];
    /// <summary>SlimImageTimeZoneData: the build machine's zoneinfo database goes in.</summary>
    public bool TimeZoneData { get; init; }
    /// <summary>SlimImageKerberos: libgssapi_krb5 and its closure go in (Negotiate authentication).</summary>
    public bool Kerberos { get; init; }
    /// <summary>SlimImageNativeLibrary items: native files kept or left out whatever the closure finds.</summary>
    public IReadOnlyList<NativeLibraryChoice> NativeLibraries { get; init; } = [];
    /// <summary>The one timestamp of every entry and of <c>created</c>: SOURCE_DATE_EPOCH, else the Unix epoch.</summary>
    public DateTimeOffset Timestamp { get; init; } = DateTimeOffset.UnixEpoch;
    public string? SourceRevision { get; init; }
    public string? SourceRepositoryUrl { get; init; }
    /// <summary>SlimImageBaseLayerMaxSize: how many bytes one layer of the base may expand to (default 8 GiB).</summary>
    public long BaseLayerMaxSize { get; init; } = LayerLimit.Default;
    /// <summary>SlimImageLayering: layers by rate of change, or one.</summary>
    public Layering Layering { get; init; } = Layering.Split;
    /// <summary>The image is one platform of several (SlimImageRuntimeIdentifiers): the app's platform-specific files get
    /// a layer of their own, so its IL layer is one blob for every platform.</summary>
    public bool PlatformFilesApart { get; init; }
    /// <summary>The image is one platform of a multi-platform publish, joined by the outer build: its size report is kept
    /// as data (<c>&lt;archive&gt;.report.json</c>) for the outer build's report, which has a section per platform.</summary>
    public bool PlatformImage { get; init; }
    /// <summary>SlimImageRegistry (host[:port]) to push to after the build; null pushes nothing.</summary>
    public string? Registry { get; init; }
    /// <summary>False only when pushing alone (SlimImageRegistry set, SlimImageArchiveOutputPath not).</summary>
    public bool WriteArchive { get; init; } = true;
    /// <summary>SlimImageLoad: load the written archive into the local docker or podman; null loads nothing.</summary>
    public Daemon.LoadTarget? Load { get; init; }
    /// <summary>The environment the daemon client runs with (DOCKER_HOST, CONTAINER_HOST, PATH), read at the edge.</summary>
    public Func<string, string?> ClientEnvironment { get; init; } = System.Environment.GetEnvironmentVariable;
    /// <summary>Insecure hosts, credentials, cache and patience for every registry this build talks to.</summary>
    public Registry.RegistrySettings Registries { get; init; } = new();
    /// <summary>SlimImageCompression: how layer blobs are compressed.</summary>
    public LayerCompression Compression { get; init; } = LayerCompression.Gzip;
    /// <summary>SlimImageCompressionLevel; 0 = the format's default (gzip 6, zstd 3).</summary>
    public int CompressionLevel { get; init; }
    /// <summary>SlimImageImageFormat (default ContainerImageFormat): OCI or Docker media types in the manifest.</summary>
    public ImageFormat Format { get; init; } = ImageFormat.Oci;
    /// <summary>A folder of the project's obj/ for the layer cache and the record of the last build
    /// (<c>obj/Release/net10.0/linux-x64/slimimage/</c>); null = no cache and no up-to-date check.</summary>
    public string? IntermediateDirectory { get; init; }

    /// <summary>SlimImageSmokeTest and its settings: run the image once after it is written; null runs nothing.</summary>
    public Smoke.SmokeTestSettings? SmokeTest { get; init; }
    /// <summary>SlimImageReport: write the size report (HTML and Markdown) beside the archive.</summary>
    public bool Report { get; init; }
    /// <summary>GITHUB_STEP_SUMMARY, read at the edge: the file the report's Markdown is appended to; null for none.</summary>
    public string? StepSummaryPath { get; init; }

    /// <summary>Where the publish output goes in the image.</summary>
    public const string AppDirectory = Rootfs.RootfsOptions.AppDirectory;
}
