using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using SlimImage.Diagnostics;
using SlimImage.Pipeline;
using SlimImage.Oci;

namespace SlimImage.Tasks;

public sealed partial class CreateSlimImage : SlimTask
{
    protected override string WhenCancelled => "no archive was written.";

    // An I/O failure the stages did not name: still one line with a code.
    protected override bool NamesIoFailures => true;

    protected override void Run(CancellationToken ct)
    {
        foreach (var (name, value, why) in Pipeline.SdkContainerProperties.Unused(
                     SdkContainerProperties.Select(i => KeyValuePair.Create(i.ItemSpec, i.GetMetadata("Value")))))
            Report(SlimDiagnostic.Info("SLIM1057", name, value, why));
        var request = RequestReader.Read(Inputs(), Report, Environment.GetEnvironmentVariable);
        RequestValidator.Validate(request);
        var result = IncrementalPipeline.Run(request, Report, ct);
        Archive = result.ArchivePath != null ? ToItem(result) : null;
        PushedImages = ToPushedItems(result);
    }

    /// <summary>The task's parameters as they are; <see cref="RequestReader"/> parses them.</summary>
    private ProjectInputs Inputs() => new()
    {
        PublishDirectory = PublishDirectory,
        PublishFiles = Items(PublishFiles),
        PublishWrites = Items(PublishWrites),
        RuntimeIdentifier = RuntimeIdentifier,
        AssemblyName = AssemblyName,
        AppVersion = AppVersion,
        InvariantGlobalization = InvariantGlobalization,
        WebApp = WebApp,
        Base = Base,
        ArchiveOutputPath = ArchiveOutputPath,
        Repository = Repository,
        Tags = Tags,
        User = User,
        WorkingDirectory = WorkingDirectory,
        Entrypoint = Entrypoint,
        Command = Command,
        SdkContainerProperties = Items(SdkContainerProperties),
        AppCommand = Items(AppCommand),
        AppCommandArgs = Items(AppCommandArgs),
        DefaultArgs = Items(DefaultArgs),
        AppCommandInstruction = AppCommandInstruction,
        ContainerEntrypoint = Items(ContainerEntrypoint),
        ContainerEntrypointArgs = Items(ContainerEntrypointArgs),
        EnvironmentVariables = Items(EnvironmentVariables),
        Labels = Items(Labels),
        LabelProperties = Items(LabelProperties),
        Ports = Items(Ports),
        Files = Items(Files),
        LibraryPaths = LibraryPaths,
        Sysroot = Sysroot,
        IncludeDebugSymbols = IncludeDebugSymbols,
        IncludeLttng = IncludeLttng,
        TrimDiagnostics = TrimDiagnostics,
        ScannerMetadata = ScannerMetadata,
        WriteReport = WriteReport,
        StepSummary = StepSummary,
        Sbom = Sbom,
        SbomFormat = SbomFormat,
        NuGetPackageFolders = NuGetPackageFolders,
        OpenSsl = OpenSsl,
        CaCertificates = Items(CaCertificates),
        TimeZoneData = TimeZoneData,
        Kerberos = Kerberos,
        NativeLibraries = Items(NativeLibraries),
        SourceDateEpoch = SourceDateEpoch,
        SmokeTest = SmokeTest,
        SmokeTestArgs = SmokeTestArgs,
        SmokeTestExitCode = SmokeTestExitCode,
        SmokeTestExpect = SmokeTestExpect,
        SmokeTestTimeout = SmokeTestTimeout,
        SmokeTestUrl = SmokeTestUrl,
        SmokeTestRunner = SmokeTestRunner,
        SourceRevision = SourceRevision,
        SourceRepositoryUrl = SourceRepositoryUrl,
        BusyboxPath = BusyboxPath,
        BaseLayerMaxSize = BaseLayerMaxSize,
        Layering = Layering,
        PlatformFilesApart = PlatformFilesApart,
        PlatformImage = PlatformImage,
        Compression = Compression,
        CompressionLevel = CompressionLevel,
        ImageFormat = ImageFormat,
        ImageFormatProperty = ImageFormatProperty,
        IntermediateDirectory = IntermediateDirectory,
        Registry = Registry,
        Load = Load,
        LocalRegistry = LocalRegistry,
        LoadTimeout = LoadTimeout,
        WriteArchive = WriteArchive,
        InsecureRegistries = InsecureRegistries,
        CacheDirectory = CacheDirectory,
    };

    private static IReadOnlyList<ProjectItem> Items(ITaskItem[] items) =>
        items.Select(i => new ProjectItem(i.ItemSpec, FullPath(i),
            i.MetadataNames.Cast<string>().Distinct(StringComparer.OrdinalIgnoreCase).ToDictionary(n => n, i.GetMetadata, StringComparer.OrdinalIgnoreCase))).ToList();

    private static ITaskItem ToItem(ImageResult result)
    {
        var item = new TaskItem(result.ArchivePath!);
        item.SetMetadata("Repository", result.Repository);
        item.SetMetadata("Tags", string.Join(";", result.Tags));
        item.SetMetadata("ManifestDigest", result.ManifestDigest);
        item.SetMetadata("CompressedSize", result.CompressedSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
        item.SetMetadata("UncompressedSize", result.UncompressedSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (result.SbomPath != null) item.SetMetadata("Sbom", result.SbomPath);
        if (result.Loaded is { } loaded)
        {
            item.SetMetadata("LoadedInto", loaded.Client);
            item.SetMetadata("LoadedImages", string.Join(";", loaded.Images));
        }
        return item;
    }

    // MSBuild's FullPath is relative to the project that declared the item, not to the build's working directory.
    private static string FullPath(ITaskItem item)
    {
        var full = item.GetMetadata("FullPath");
        return string.IsNullOrEmpty(full) ? Path.GetFullPath(item.ItemSpec) : full;
    }

}
