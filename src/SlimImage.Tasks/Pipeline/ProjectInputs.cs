using SlimImage.Oci;
namespace SlimImage.Pipeline;

/// <summary>An MSBuild item as the task received it: its spec, its full path, and its metadata.</summary>
public sealed record ProjectItem(string ItemSpec, string FullPath, IReadOnlyDictionary<string, string> Metadata)
{
    /// <summary>The metadata's value, or empty (as MSBuild's <c>GetMetadata</c>).</summary>
    public string GetMetadata(string name) => Metadata.TryGetValue(name, out var value) ? value : "";
}

/// <summary>
/// The properties and items of <c>CreateSlimImage</c> as MSBuild gave them, unparsed: the task copies them here and
/// <see cref="RequestReader"/> parses each once, with the parser of the type it becomes. Documented on the task
/// (<c>Tasks/CreateSlimImage.Interface.cs</c>).
/// </summary>
public sealed record ProjectInputs
{
    public string PublishDirectory { get; init; } = "";
    public IReadOnlyList<ProjectItem> PublishFiles { get; init; } = [];
    public IReadOnlyList<ProjectItem> PublishWrites { get; init; } = [];
    public string RuntimeIdentifier { get; init; } = "";
    public string AssemblyName { get; init; } = "";
    public string? AppVersion { get; init; }
    public bool InvariantGlobalization { get; init; }
    public bool WebApp { get; init; }
    public string Base { get; init; } = "scratch";
    public string ArchiveOutputPath { get; init; } = "";
    public string Repository { get; init; } = "";
    public IReadOnlyList<string> Tags { get; init; } = ["latest"];
    public string User { get; init; } = "1654";
    public string WorkingDirectory { get; init; } = "/app";
    public IReadOnlyList<string> Entrypoint { get; init; } = [];
    public IReadOnlyList<string> Command { get; init; } = [];
    public IReadOnlyList<ProjectItem> SdkContainerProperties { get; init; } = [];
    public IReadOnlyList<ProjectItem> AppCommand { get; init; } = [];
    public IReadOnlyList<ProjectItem> AppCommandArgs { get; init; } = [];
    public IReadOnlyList<ProjectItem> DefaultArgs { get; init; } = [];
    public string? AppCommandInstruction { get; init; }
    public IReadOnlyList<ProjectItem> ContainerEntrypoint { get; init; } = [];
    public IReadOnlyList<ProjectItem> ContainerEntrypointArgs { get; init; } = [];
    public IReadOnlyList<ProjectItem> EnvironmentVariables { get; init; } = [];
    public IReadOnlyList<ProjectItem> Labels { get; init; } = [];
    /// <summary>The Container*/project properties the generated labels come from, as items named by property.</summary>
    public IReadOnlyList<ProjectItem> LabelProperties { get; init; } = [];
    public IReadOnlyList<ProjectItem> Ports { get; init; } = [];
    public IReadOnlyList<ProjectItem> Files { get; init; } = [];
    public IReadOnlyList<string> LibraryPaths { get; init; } = [];
    public string Sysroot { get; init; } = "/";
    public bool IncludeDebugSymbols { get; init; }
    public bool IncludeLttng { get; init; }
    public bool TrimDiagnostics { get; init; }
    public bool ScannerMetadata { get; init; } = true;
    public bool WriteReport { get; init; }
    public string? Sbom { get; init; }
    public string? SbomFormat { get; init; }
    public IReadOnlyList<string> NuGetPackageFolders { get; init; } = [];
    public string? StepSummary { get; init; }
    public string? OpenSsl { get; init; }
    public IReadOnlyList<ProjectItem> CaCertificates { get; init; } = [];
    public bool TimeZoneData { get; init; }
    public bool Kerberos { get; init; }
    public IReadOnlyList<ProjectItem> NativeLibraries { get; init; } = [];
    public string? SourceDateEpoch { get; init; }
    public string? SourceRevision { get; init; }
    public string? SourceRepositoryUrl { get; init; }
    public string? BusyboxPath { get; init; }
    public string? BaseLayerMaxSize { get; init; }
    public string? Layering { get; init; }
    public bool PlatformFilesApart { get; init; }
    public bool PlatformImage { get; init; }
    public string? Compression { get; init; }
    public string? CompressionLevel { get; init; }
    public string? ImageFormat { get; init; }
    public string? ImageFormatProperty { get; init; }
    public string? IntermediateDirectory { get; init; }
    public string? SmokeTest { get; init; }
    public string? SmokeTestArgs { get; init; }
    public string? SmokeTestExitCode { get; init; }
    public string? SmokeTestExpect { get; init; }
    public string? SmokeTestTimeout { get; init; }
    public string? SmokeTestUrl { get; init; }
    public string? SmokeTestRunner { get; init; }
    public string? Registry { get; init; }
    public string? Load { get; init; }
    public string? LocalRegistry { get; init; }
    public string? LoadTimeout { get; init; }
    public bool WriteArchive { get; init; } = true;
    public IReadOnlyList<string> InsecureRegistries { get; init; } = [];
    public string? CacheDirectory { get; init; }
}
