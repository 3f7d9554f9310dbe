using Microsoft.Build.Framework;
using SlimImage.Oci;

namespace SlimImage.Tasks;

/// <summary>
/// Builds the image archive from a publish output. The parameters mirror the SlimImage* properties and items
/// of SlimImage.Sdk.targets; the work is done by <see cref="Pipeline.ImagePipeline"/>, which knows no MSBuild.
/// </summary>
public sealed partial class CreateSlimImage
{
    /// <summary>The publish folder, e.g. <c>/src/app/bin/Release/net10.0/linux-x64/publish/</c>.</summary>
    [Required] public string PublishDirectory { get; set; } = "";

    /// <summary>ResolvedFileToPublish: metadata RelativePath (below /app), NuGetPackageId and NuGetPackageVersion (origin), AssetType.</summary>
    [Required] public ITaskItem[] PublishFiles { get; set; } = [];

    /// <summary>
    /// Files this publish wrote, e.g. <c>@(FileWrites)</c> plus the single-file bundle and the NativeAOT binary; only those
    /// under <see cref="PublishDirectory"/> count. A file of the publish folder in neither this nor PublishFiles is left out.
    /// </summary>
    public ITaskItem[] PublishWrites { get; set; } = [];

    /// <summary>The runtime identifier the publish was made for, e.g. <c>linux-x64</c>.</summary>
    [Required] public string RuntimeIdentifier { get; set; } = "";

    /// <summary>The app's AssemblyName: the default entry point is <c>/app/AssemblyName</c>.</summary>
    [Required] public string AssemblyName { get; set; } = "";

    /// <summary>The app's Version, for the <c>org.opencontainers.image.version</c> label.</summary>
    public string? AppVersion { get; set; }

    /// <summary>InvariantGlobalization: when not true, ICU goes into the image.</summary>
    public bool InvariantGlobalization { get; set; }

    /// <summary>True for an ASP.NET Core app: Kestrel then listens on 8080 of every address, as in Microsoft's images.</summary>
    public bool WebApp { get; set; }

    /// <summary>SlimImageBase: <c>scratch</c>, <c>busybox</c>, or an image archive, e.g. <c>base/debian-slim.tar</c>.</summary>
    public string Base { get; set; } = "scratch";

    /// <summary>SlimImageArchiveOutputPath: the tar written, e.g. <c>bin/Release/net10.0/linux-x64/app.tar</c>.</summary>
    [Required] public string ArchiveOutputPath { get; set; } = "";

    /// <summary>SlimImageRepository, e.g. <c>myorg/app</c>.</summary>
    [Required] public string Repository { get; set; } = "";

    /// <summary>SlimImageTags, e.g. <c>1.2.3;latest</c>.</summary>
    public string[] Tags { get; set; } = ["latest"];

    /// <summary>SlimImageUser, e.g. <c>1654</c> or <c>app</c>.</summary>
    public string User { get; set; } = "1654";

    /// <summary>SlimImageWorkingDirectory, e.g. <c>/app</c>.</summary>
    public string WorkingDirectory { get; set; } = "/app";

    /// <summary>SlimImageEntrypoint (<c>;</c>-separated argv), e.g. <c>/app/MyApp;--serve</c>.</summary>
    public string[] Entrypoint { get; set; } = [];

    /// <summary>SlimImageCommand (<c>;</c>-separated), the image's default arguments (Cmd), e.g. <c>--port;80</c>; empty: ContainerDefaultArgs.</summary>
    public string[] Command { get; set; } = [];

    /// <summary>The SDK's container properties as items (Include=name, Value), e.g. <c>ContainerFamily</c> = <c>noble-chiseled</c>:
    /// those SlimImage does not honour are named with the reason.</summary>
    public ITaskItem[] SdkContainerProperties { get; set; } = [];

    /// <summary>ContainerAppCommand items: the app command, e.g. <c>dotnet;ef</c>; empty: SlimImageEntrypoint or /app/AssemblyName.</summary>
    public ITaskItem[] AppCommand { get; set; } = [];

    /// <summary>ContainerAppCommandArgs items: arguments the app always gets, e.g. <c>database;update</c>.</summary>
    public ITaskItem[] AppCommandArgs { get; set; } = [];

    /// <summary>ContainerDefaultArgs items: arguments a <c>docker run</c> may replace, e.g. <c>--verbose</c>.</summary>
    public ITaskItem[] DefaultArgs { get; set; } = [];

    /// <summary>ContainerAppCommandInstruction: <c>DefaultArgs</c>, <c>Entrypoint</c> or <c>None</c>; empty as the SDK decides.</summary>
    public string? AppCommandInstruction { get; set; }

    /// <summary>ContainerEntrypoint items (deprecated by the SDK), e.g. <c>/bin/sh;-c</c>.</summary>
    public ITaskItem[] ContainerEntrypoint { get; set; } = [];

    /// <summary>ContainerEntrypointArgs items (deprecated by the SDK).</summary>
    public ITaskItem[] ContainerEntrypointArgs { get; set; } = [];

    /// <summary>SlimImageEnvironmentVariable items: Include=name, Value.</summary>
    public ITaskItem[] EnvironmentVariables { get; set; } = [];

    /// <summary>SlimImageLabel items: Include=name, Value.</summary>
    public ITaskItem[] Labels { get; set; } = [];

    /// <summary>The properties the SDK's generated labels come from, as items (Include=name, Value), e.g.
    /// <c>ContainerGenerateLabelsImageAuthors</c> = <c>false</c> or <c>Description</c> = <c>A weather service</c>
    /// (the names are <see cref="Image.LabelSettings.PropertyNames"/>).</summary>
    public ITaskItem[] LabelProperties { get; set; } = [];

    /// <summary>SlimImagePort items: Include=8080, Type=tcp|udp.</summary>
    public ITaskItem[] Ports { get; set; } = [];

    /// <summary>SlimImageFile items: Include=host file or folder, DestinationPath=path in the image.</summary>
    public ITaskItem[] Files { get; set; } = [];

    /// <summary>SlimImageLibraryPath: folders searched for shared libraries before the system's.</summary>
    public string[] LibraryPaths { get; set; } = [];

    /// <summary>SlimImageSysroot: resolve host libraries under this root, e.g. <c>/</c>.</summary>
    public string Sysroot { get; set; } = "/";

    /// <summary>SlimImageIncludeDebugSymbols: keep *.dbg and *.pdb.</summary>
    public bool IncludeDebugSymbols { get; set; }

    /// <summary>SlimImageLttng: keep the LTTng trace provider (needs liblttng-ust).</summary>
    public bool IncludeLttng { get; set; }

    /// <summary>SlimImageTrimDiagnostics: leave out libmscordaccore.so, libmscordbi.so and createdump.</summary>
    public bool TrimDiagnostics { get; set; }

    /// <summary>SlimImageScannerMetadata: <c>true</c> (default) describes the host's Debian packages to image scanners.</summary>
    public bool ScannerMetadata { get; set; } = true;

    /// <summary>SlimImageReport: <c>true</c> writes the size report (<c>app.tar.report.html</c>, <c>app.tar.report.md</c>) beside the archive.</summary>
    public bool WriteReport { get; set; }

    /// <summary>GITHUB_STEP_SUMMARY: a file the report's Markdown is appended to, e.g. <c>/home/runner/work/_temp/_runner_file_commands/step_summary_…</c>.</summary>
    public string? StepSummary { get; set; }

    /// <summary>SlimImageSbom: empty or <c>true</c> (default) writes the image's SBOM beside the archive and attaches it; <c>false</c>: none.</summary>
    public string? Sbom { get; set; }

    /// <summary>SlimImageSbomFormat: <c>spdx</c> (default, SPDX 2.3 JSON) or <c>cyclonedx</c> (CycloneDX 1.6 JSON).</summary>
    public string? SbomFormat { get; set; }

    /// <summary>NuGetPackageFolders and NuGetPackageRoot, <c>;</c>-separated, e.g. <c>/home/me/.nuget/packages/</c>: where each package's .nuspec is read.</summary>
    public string[] NuGetPackageFolders { get; set; } = [];

    /// <summary>SlimImageOpenSsl: <c>auto</c> (default), <c>true</c> or <c>false</c>.</summary>
    public string? OpenSsl { get; set; }

    /// <summary>SlimImageCaCertificate items: PEM files appended to the image's CA bundle, e.g. <c>certs/corp-root.pem</c>.</summary>
    public ITaskItem[] CaCertificates { get; set; } = [];

    /// <summary>SlimImageTimeZoneData: add the build machine's /usr/share/zoneinfo.</summary>
    public bool TimeZoneData { get; set; }

    /// <summary>SlimImageKerberos: add libgssapi_krb5.so.2 and its closure.</summary>
    public bool Kerberos { get; set; }

    /// <summary>SlimImageNativeLibrary items: Include=<c>libfoo.so</c> (file name or path below the publish folder), Keep=true|false.</summary>
    public ITaskItem[] NativeLibraries { get; set; } = [];

    /// <summary>SOURCE_DATE_EPOCH: seconds since 1970 for every timestamp; empty gives 1970-01-01.</summary>
    public string? SourceDateEpoch { get; set; }

    /// <summary>SourceRevisionId, for <c>org.opencontainers.image.revision</c>.</summary>
    public string? SourceRevision { get; set; }

    /// <summary>RepositoryUrl, for <c>org.opencontainers.image.source</c>.</summary>
    public string? SourceRepositoryUrl { get; set; }

    /// <summary>SlimImageBusyboxPath: the busybox of SlimImageBase=busybox, e.g. <c>/bin/busybox</c>; empty to look for one.</summary>
    public string? BusyboxPath { get; set; }

    /// <summary>SlimImageBaseLayerMaxSize: how far one base layer may expand, e.g. <c>16G</c>; empty for 8 GiB.</summary>
    public string? BaseLayerMaxSize { get; set; }

    /// <summary>SlimImageLayering: <c>split</c> (by rate of change, the default) or <c>single</c>.</summary>
    public string? Layering { get; set; }

    /// <summary>True when the project lists SlimImageRuntimeIdentifiers: the app's platform-specific files get a layer of
    /// their own, so that its IL layer is one blob for every platform.</summary>
    public bool PlatformFilesApart { get; set; }
    /// <summary>True in the inner publish of one platform of SlimImageRuntimeIdentifiers: the outer build joins the images
    /// and writes the report, with a section per platform, from each platform's report data.</summary>
    public bool PlatformImage { get; set; }
    /// <summary>SlimImageCompression: <c>gzip</c> (default), <c>zstd</c> or <c>none</c>.</summary>
    public string? Compression { get; set; }

    /// <summary>SlimImageCompressionLevel, e.g. <c>6</c> (gzip 1-9) or <c>3</c> (zstd 1-22); empty for the default.</summary>
    public string? CompressionLevel { get; set; }

    /// <summary>SlimImageImageFormat (default <c>$(ContainerImageFormat)</c>): <c>OCI</c> (default) or <c>Docker</c>.</summary>
    public string? ImageFormat { get; set; }

    /// <summary>The property <see cref="ImageFormat"/> came from, named in its errors: <c>SlimImageImageFormat</c> or
    /// <c>ContainerImageFormat</c>.</summary>
    public string? ImageFormatProperty { get; set; }

    /// <summary>Folder for the layer cache and the record of the last build, e.g. <c>obj/Release/net10.0/linux-x64/slimimage/</c>;
    /// empty: every publish builds the whole image.</summary>
    public string? IntermediateDirectory { get; set; }

    /// <summary>SlimImageSmokeTest: <c>true</c> runs the image once after it is written (its own namespaces, or docker/podman).</summary>
    public string? SmokeTest { get; set; }

    /// <summary>SlimImageSmokeTestArgs (<c>;</c>-separated): arguments in place of the image's Cmd, e.g. <c>--self-test</c>.</summary>
    public string? SmokeTestArgs { get; set; }

    /// <summary>SlimImageSmokeTestExitCode: the exit code that passes, e.g. <c>0</c> (the default).</summary>
    public string? SmokeTestExitCode { get; set; }

    /// <summary>SlimImageSmokeTestExpect: a regular expression the app's output must match, e.g. <c>Hello</c>.</summary>
    public string? SmokeTestExpect { get; set; }

    /// <summary>SlimImageSmokeTestTimeout: seconds the run may take, e.g. <c>30</c> (the default).</summary>
    public string? SmokeTestTimeout { get; set; }

    /// <summary>SlimImageSmokeTestUrl: a path a server must answer 2xx on its port, e.g. <c>/healthz</c>.</summary>
    public string? SmokeTestUrl { get; set; }

    /// <summary>SlimImageSmokeTestRunner: <c>auto</c> (the default), <c>namespaces</c>, <c>docker</c> or <c>podman</c>.</summary>
    public string? SmokeTestRunner { get; set; }

    /// <summary>The archive written, with metadata Repository, Tags, ManifestDigest, CompressedSize, UncompressedSize, and Sbom (the SBOM file beside it).</summary>
    [Output] public ITaskItem? Archive { get; private set; }

    /// <summary>SlimImageRegistry: push there after the build, e.g. <c>registry.example.com</c> or <c>localhost:5000</c>.</summary>
    public string? Registry { get; set; }

    /// <summary>SlimImageLoad: <c>docker</c>, <c>podman</c>, <c>true</c> (LocalRegistry, else whichever is installed) or empty.</summary>
    public string? Load { get; set; }

    /// <summary>LocalRegistry, the SDK's property: <c>Docker</c> or <c>Podman</c> for SlimImageLoad=true; empty to detect.</summary>
    public string? LocalRegistry { get; set; }

    /// <summary>SlimImageLoadTimeout: seconds the load may take, e.g. <c>600</c>; empty for 10 minutes.</summary>
    public string? LoadTimeout { get; set; }

    /// <summary>False when only pushing (SlimImageRegistry given, SlimImageArchiveOutputPath not): no archive is written.</summary>
    public bool WriteArchive { get; set; } = true;

    /// <summary>SlimImageInsecureRegistries: hosts spoken to in plain HTTP, e.g. <c>registry.lan:5000</c>.</summary>
    public string[] InsecureRegistries { get; set; } = [];

    /// <summary>SlimImageCacheDirectory: pulled base blobs and registry hints, e.g. <c>~/.cache/slimimage</c>.</summary>
    public string? CacheDirectory { get; set; }

    /// <summary>One item per pushed tag: <c>registry/repository:tag</c>, metadata ManifestDigest, DigestReference, Registry, Repository, Tag.</summary>
    [Output] public ITaskItem[] PushedImages { get; private set; } = [];
}
