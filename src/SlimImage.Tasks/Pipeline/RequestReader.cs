using SlimImage.Base;
using SlimImage.Daemon;
using SlimImage.Diagnostics;
using SlimImage.Image;
using SlimImage.Layers;
using SlimImage.Oci;
using SlimImage.Publish;
using SlimImage.Registry;
using SlimImage.Registry.Credentials;
using SlimImage.Rootfs;
using SlimImage.Runtime;
using SlimImage.Sbom;

namespace SlimImage.Pipeline;

/// <summary>
/// Parses the task's raw inputs once into an <see cref="ImageRequest"/>: each value with the parser of the type it
/// becomes (<see cref="BaseSource.Parse"/>, <see cref="LayerCompression.Parse"/>, <see cref="LoadTarget.Parse"/>, …),
/// so no stage ever sees the string again. Values from the environment (credentials, the cache folder) are read here
/// through <c>environment</c>, never from MSBuild properties: a property's value would be in every binlog.
/// </summary>
public static class RequestReader
{
    public static ImageRequest Read(ProjectInputs raw, Action<SlimDiagnostic> report, Func<string, string?> environment)
    {
        var compression = LayerCompression.Parse(raw.Compression, raw.CompressionLevel);
        var baseSource = BaseSource.Parse(raw.Base, raw.BusyboxPath);
        return new ImageRequest
        {
            PublishDirectory = raw.PublishDirectory,
            PublishFiles = ReadPublishFolder(raw, report),
            RuntimeIdentifier = raw.RuntimeIdentifier,
            AssemblyName = raw.AssemblyName,
            AppVersion = NullIfEmpty(raw.AppVersion),
            InvariantGlobalization = raw.InvariantGlobalization,
            WebApp = raw.WebApp,
            Base = baseSource,
            ArchivePath = Path.GetFullPath(raw.ArchiveOutputPath),
            Repository = raw.Repository.Trim(),
            Tags = raw.Tags.Select(t => t.Trim()).Where(t => t.Length > 0).Distinct().DefaultIfEmpty("latest").ToList(),
            User = raw.User.Trim(),
            WorkingDirectory = raw.WorkingDirectory.Trim(),
            Entrypoint = raw.Entrypoint.Where(a => a.Length > 0).ToList(),
            Command = new AppCommandSettings
            {
                AppCommand = Specs(raw.AppCommand),
                AppCommandArgs = Specs(raw.AppCommandArgs),
                DefaultArgs = raw.Command.Any(a => a.Length > 0) ? raw.Command.Where(a => a.Length > 0).ToList() : Specs(raw.DefaultArgs),
                Entrypoint = Specs(raw.ContainerEntrypoint),
                EntrypointArgs = Specs(raw.ContainerEntrypointArgs),
                Instruction = AppCommandSettings.ParseInstruction(raw.AppCommandInstruction),
            },
            Environment = raw.EnvironmentVariables.Select(i => KeyValuePair.Create(i.ItemSpec, i.GetMetadata("Value"))).ToList(),
            Labels = raw.Labels.Select(i => KeyValuePair.Create(i.ItemSpec, i.GetMetadata("Value"))).ToList(),
            GeneratedLabels = LabelSettings.FromProperties(raw.LabelProperties
                .GroupBy(i => i.ItemSpec, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().GetMetadata("Value"), StringComparer.Ordinal)),
            Ports = raw.Ports.Select(i => RequestValidator.ParsePort(i.ItemSpec, i.GetMetadata("Type"))).ToList(),
            Files = raw.Files.Select(i => new ExtraFile(i.FullPath, i.GetMetadata("DestinationPath"))).ToList(),
            LibraryPaths = raw.LibraryPaths.Where(p => p.Trim().Length > 0).Select(p => Path.GetFullPath(p.Trim())).ToList(),
            Sysroot = string.IsNullOrWhiteSpace(raw.Sysroot) ? "/" : Path.GetFullPath(raw.Sysroot.Trim()),
            IncludeDebugSymbols = raw.IncludeDebugSymbols,
            IncludeLttng = raw.IncludeLttng,
            TrimDiagnostics = raw.TrimDiagnostics,
            ScannerMetadata = raw.ScannerMetadata,
            Report = raw.WriteReport,
            Sbom = SbomFormats.Parse(raw.Sbom, raw.SbomFormat),
            NuGetPackageFolders = raw.NuGetPackageFolders.Select(p => p.Trim()).Where(p => p.Length > 0 && Path.IsPathRooted(p))
                .Select(Path.GetFullPath).Distinct(StringComparer.Ordinal).ToList(),
            StepSummaryPath = raw.WriteReport && !string.IsNullOrWhiteSpace(raw.StepSummary) ? Path.GetFullPath(raw.StepSummary.Trim()) : null,
            OpenSsl = RuntimeOptions.ParseOpenSsl(raw.OpenSsl),
            CaCertificates = raw.CaCertificates.Select(i => i.FullPath).ToList(),
            TimeZoneData = raw.TimeZoneData,
            Kerberos = raw.Kerberos,
            NativeLibraries = raw.NativeLibraries.Select(i => NativeLibraryChoice.Parse(i.ItemSpec, i.GetMetadata("Keep"))).ToList(),
            Timestamp = RequestValidator.ParseSourceDateEpoch(raw.SourceDateEpoch),
            SourceRevision = NullIfEmpty(raw.SourceRevision),
            SourceRepositoryUrl = NullIfEmpty(raw.SourceRepositoryUrl),
            BaseLayerMaxSize = LayerLimit.Parse(raw.BaseLayerMaxSize),
            Layering = LayerSplit.Parse(raw.Layering),
            PlatformFilesApart = raw.PlatformFilesApart,
            PlatformImage = raw.PlatformImage,
            Registry = NullIfEmpty(raw.Registry),
            SmokeTest = Smoke.SmokeTestSettings.Parse(raw.SmokeTest, raw.SmokeTestArgs, raw.SmokeTestExitCode, raw.SmokeTestExpect,
                raw.SmokeTestTimeout, raw.SmokeTestUrl, raw.SmokeTestRunner),
            WriteArchive = raw.WriteArchive,
            Load = LoadTarget.Parse(raw.Load, raw.LocalRegistry, raw.LoadTimeout),
            Registries = ReadRegistrySettings(raw, baseSource, report, environment),
            Compression = compression,
            Format = ImageFormatSettings.Parse(raw.ImageFormat, raw.ImageFormatProperty, compression.Format),
            IntermediateDirectory = string.IsNullOrWhiteSpace(raw.IntermediateDirectory) ? null : Path.GetFullPath(raw.IntermediateDirectory.Trim()),
            ClientEnvironment = environment,
        };
    }

    // The publish folder is the truth; the items only say what each file is (PublishFolder explains why).
    private static IReadOnlyList<PublishFile> ReadPublishFolder(ProjectInputs raw, Action<SlimDiagnostic> report)
    {
        var items = raw.PublishFiles.Select(i => PublishItem.ToFile(i.FullPath, i.ItemSpec, i.GetMetadata("RelativePath"),
            i.GetMetadata("NuGetPackageId"), i.GetMetadata("NuGetPackageVersion"), i.GetMetadata("AssetType"))).ToList();
        var contents = PublishFolder.Read(raw.PublishDirectory, items, raw.PublishWrites.Select(i => i.FullPath), [Path.GetFullPath(raw.ArchiveOutputPath)]);
        if (contents.NotWritten.Count > 0)
        {
            const int named = 20;
            var list = string.Join(", ", contents.NotWritten.Take(named))
                       + (contents.NotWritten.Count > named ? $" and {contents.NotWritten.Count - named} more" : "");
            report(SlimDiagnostic.Warning("SLIM1030", contents.NotWritten.Count, raw.PublishDirectory, list));
        }
        return contents.Files;
    }

    private static RegistrySettings ReadRegistrySettings(ProjectInputs raw, BaseSource baseSource, Action<SlimDiagnostic> report,
        Func<string, string?> environment) =>
        ReadRegistrySettings(NullIfEmpty(raw.Registry) ?? (baseSource as BaseSource.Pull)?.Reference.Registry, raw.InsecureRegistries,
            raw.CacheDirectory, report, environment);

    /// <summary>
    /// What every registry conversation shares. Credentials come from the environment and docker's config.json, never
    /// from MSBuild properties (a property's value would be in every binlog); SLIMIMAGE_REGISTRY_USER/PASSWORD are for
    /// <paramref name="credentialRegistry"/> only.
    /// </summary>
    public static RegistrySettings ReadRegistrySettings(string? credentialRegistry, IEnumerable<string> insecureRegistries, string? cacheDirectory,
        Action<SlimDiagnostic> report, Func<string, string?> environment) => new()
    {
        InsecureRegistries = RegistryInputs.SplitHosts(insecureRegistries),
        Credentials = new CredentialChain(environment, credentialRegistry, () => DockerConfig.Load(environment), report),
        CacheDirectory = NullIfEmpty(cacheDirectory) is { } dir ? Path.GetFullPath(dir) : DefaultCache(environment),
    };

    /// <summary>$XDG_CACHE_HOME/slimimage, else ~/.cache/slimimage (the XDG base directory default).</summary>
    private static string DefaultCache(Func<string, string?> environment)
    {
        var xdg = environment("XDG_CACHE_HOME");
        if (!string.IsNullOrEmpty(xdg)) return Path.Combine(xdg, "slimimage");
        var home = environment("HOME");
        return string.IsNullOrEmpty(home) ? Path.Combine(Path.GetTempPath(), "slimimage-cache") : Path.Combine(home, ".cache", "slimimage");
    }

    private static List<string> Specs(IReadOnlyList<ProjectItem> items) => items.Select(i => i.ItemSpec).Where(a => a.Length > 0).ToList();

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
