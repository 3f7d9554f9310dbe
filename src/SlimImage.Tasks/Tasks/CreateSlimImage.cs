using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using SlimImage.Diagnostics;
using SlimImage.Layers;
using SlimImage.Pipeline;
using SlimImage.Publish;
using SlimImage.Rootfs;

namespace SlimImage.Tasks;

public sealed partial class CreateSlimImage : Microsoft.Build.Utilities.Task, ICancelableTask
{
    private readonly CancellationTokenSource _cancel = new();

    public void Cancel() => _cancel.Cancel();

    public override bool Execute()
    {
        try
        {
            foreach (var (name, value, why) in Pipeline.SdkContainerProperties.Unused(
                         SdkContainerProperties.Select(i => KeyValuePair.Create(i.ItemSpec, i.GetMetadata("Value")))))
                Report(SlimDiagnostic.Info("SLIM1057", name, value, why));
            var request = ReadRequest();
            RequestValidator.Validate(request);
            var result = Incremental.IncrementalImage.Run(request, Report, _cancel.Token);
            Archive = result.ArchivePath != null ? ToItem(result) : null;
            PushedImages = ToPushedItems(result);
            return !Log.HasLoggedErrors;
        }
        catch (SlimException e)
        {
            Log.LogError(null, e.Code, null, null, 0, 0, 0, 0, e.Text);
            return false;
        }
        catch (OperationCanceledException) when (_cancel.IsCancellationRequested)
        {
            Log.LogMessage(MessageImportance.High, "SlimImage: cancelled; no archive was written.");
            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // An I/O failure the stages did not name: still one line with a code, never MSB4018 and a stack trace.
            Log.LogError(null, "SLIM1098", null, null, 0, 0, 0, 0, Messages.StripCode(Messages.Format("SLIM1098", e.Message)));
            return false;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Log.LogError(null, "SLIM1099", null, null, 0, 0, 0, 0, Messages.StripCode(Messages.Format("SLIM1099", e.GetType().Name, e.Message)));
            Log.LogMessage(MessageImportance.Low, e.ToString());
            return false;
        }
    }

    private void Report(SlimDiagnostic d)
    {
        if (d.Severity == SlimSeverity.Warning)
            Log.LogWarning(null, d.Code, null, null, 0, 0, 0, 0, d.Message);
        else
            Log.LogMessage(null, d.Code, null, null, 0, 0, 0, 0,
                d.Severity == SlimSeverity.Detail ? MessageImportance.Normal : MessageImportance.High, d.Message);
    }

    private ImageRequest ReadRequest() => ReadRequestProperties() with
    {
        Compression = CompressionSettings.Parse(Compression, CompressionLevel).Compression,
        CompressionLevel = CompressionSettings.Parse(Compression, CompressionLevel).Level,
        Format = ImageFormatSettings.Parse(ImageFormat, ImageFormatProperty, CompressionSettings.Parse(Compression, CompressionLevel).Compression),
        IntermediateDirectory = string.IsNullOrWhiteSpace(IntermediateDirectory) ? null : Path.GetFullPath(IntermediateDirectory.Trim()),
    };

    private ImageRequest ReadRequestProperties() => new()
    {
        PublishDirectory = PublishDirectory,
        PublishFiles = ReadPublishFolder(),
        RuntimeIdentifier = RuntimeIdentifier,
        AssemblyName = AssemblyName,
        AppVersion = NullIfEmpty(AppVersion),
        InvariantGlobalization = InvariantGlobalization,
        WebApp = WebApp,
        Base = string.IsNullOrWhiteSpace(Base) ? "scratch" : Base.Trim(),
        ArchivePath = Path.GetFullPath(ArchiveOutputPath),
        Repository = Repository.Trim(),
        Tags = Tags.Select(t => t.Trim()).Where(t => t.Length > 0).Distinct().DefaultIfEmpty("latest").ToList(),
        User = User.Trim(),
        WorkingDirectory = WorkingDirectory.Trim(),
        Entrypoint = Entrypoint.Where(a => a.Length > 0).ToList(),
        Command = new Image.AppCommandSettings
        {
            AppCommand = Specs(AppCommand),
            AppCommandArgs = Specs(AppCommandArgs),
            DefaultArgs = Command.Any(a => a.Length > 0) ? Command.Where(a => a.Length > 0).ToList() : Specs(DefaultArgs),
            Entrypoint = Specs(ContainerEntrypoint),
            EntrypointArgs = Specs(ContainerEntrypointArgs),
            Instruction = Image.AppCommandSettings.ParseInstruction(AppCommandInstruction),
        },
        Environment = EnvironmentVariables.Select(i => KeyValuePair.Create(i.ItemSpec, i.GetMetadata("Value"))).ToList(),
        Labels = Labels.Select(i => KeyValuePair.Create(i.ItemSpec, i.GetMetadata("Value"))).ToList(),
        GeneratedLabels = Image.LabelSettings.FromProperties(LabelProperties
            .GroupBy(i => i.ItemSpec, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().GetMetadata("Value"), StringComparer.Ordinal)),
        Ports = Ports.Select(i => RequestValidator.ParsePort(i.ItemSpec, i.GetMetadata("Type"))).ToList(),
        Files = Files.Select(i => new ExtraFile(FullPath(i), i.GetMetadata("DestinationPath"))).ToList(),
        LibraryPaths = LibraryPaths.Where(p => p.Trim().Length > 0).Select(p => Path.GetFullPath(p.Trim())).ToList(),
        Sysroot = string.IsNullOrWhiteSpace(Sysroot) ? "/" : Path.GetFullPath(Sysroot.Trim()),
        IncludeDebugSymbols = IncludeDebugSymbols,
        IncludeLttng = IncludeLttng,
        TrimDiagnostics = TrimDiagnostics,
        ScannerMetadata = ScannerMetadata,
        OpenSsl = Runtime.RuntimeOptions.ParseOpenSsl(OpenSsl),
        CaCertificates = CaCertificates.Select(FullPath).ToList(),
        TimeZoneData = TimeZoneData,
        Kerberos = Kerberos,
        NativeLibraries = NativeLibraries.Select(i => NativeLibraryChoice.Parse(i.ItemSpec, i.GetMetadata("Keep"))).ToList(),
        Timestamp = RequestValidator.ParseSourceDateEpoch(SourceDateEpoch),
        SourceRevision = NullIfEmpty(SourceRevision),
        SourceRepositoryUrl = NullIfEmpty(SourceRepositoryUrl),
        BusyboxPath = NullIfEmpty(BusyboxPath),
        BaseLayerMaxSize = SlimImage.Base.LayerLimit.Parse(BaseLayerMaxSize),
        Layering = LayerSplit.Parse(Layering),
        Registry = NullIfEmpty(Registry),
        WriteArchive = WriteArchive,
        Load = Daemon.LoadTarget.Parse(Load, LocalRegistry, LoadTimeout),
        Registries = ReadRegistrySettings(),
    };

    // The publish folder is the truth; the items only say what each file is (PublishFolder explains why).
    private IReadOnlyList<PublishFile> ReadPublishFolder()
    {
        var contents = PublishFolder.Read(PublishDirectory, PublishFiles.Select(ToPublishFile).ToList(),
            PublishWrites.Select(FullPath), [Path.GetFullPath(ArchiveOutputPath)]);
        if (contents.NotWritten.Count > 0)
        {
            const int named = 20;
            var list = string.Join(", ", contents.NotWritten.Take(named))
                       + (contents.NotWritten.Count > named ? $" and {contents.NotWritten.Count - named} more" : "");
            Log.LogWarning(null, "SLIM1030", null, null, 0, 0, 0, 0,
                Messages.StripCode(Messages.Format("SLIM1030", contents.NotWritten.Count, PublishDirectory, list)));
        }
        return contents.Files;
    }

    private static PublishFile ToPublishFile(ITaskItem item)
    {
        var relative = item.GetMetadata("RelativePath");
        if (string.IsNullOrEmpty(relative))
            relative = Path.GetFileName(item.ItemSpec);
        var packageId = item.GetMetadata("NuGetPackageId");
        return new PublishFile(FullPath(item), relative, OriginOf(packageId))
        {
            Asset = new PublishAsset(NullIfEmpty(packageId), NullIfEmpty(item.GetMetadata("NuGetPackageVersion")), NullIfEmpty(item.GetMetadata("AssetType"))),
        };
    }

    private static EntryOrigin OriginOf(string packageId)
    {
        if (string.IsNullOrEmpty(packageId))
            return EntryOrigin.App;
        // Runtime packs: Microsoft.NETCore.App.Runtime.<rid>, Microsoft.AspNetCore.App.Runtime.<rid>, …
        return packageId.Contains(".App.Runtime.", StringComparison.OrdinalIgnoreCase)
               || packageId.StartsWith("runtime.", StringComparison.OrdinalIgnoreCase)
            ? EntryOrigin.Runtime
            : EntryOrigin.Package;
    }

    private static ITaskItem ToItem(ImageResult result)
    {
        var item = new TaskItem(result.ArchivePath!);
        item.SetMetadata("Repository", result.Repository);
        item.SetMetadata("Tags", string.Join(";", result.Tags));
        item.SetMetadata("ManifestDigest", result.ManifestDigest);
        item.SetMetadata("CompressedSize", result.CompressedSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
        item.SetMetadata("UncompressedSize", result.UncompressedSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (result.Published.OfType<Daemon.DaemonPublication>().FirstOrDefault() is { } loaded)
        {
            item.SetMetadata("LoadedInto", loaded.Load.Cli.Name);
            item.SetMetadata("LoadedImages", string.Join(";", loaded.Load.Images));
        }
        return item;
    }

    // MSBuild's FullPath is relative to the project that declared the item, not to the build's working directory.
    private static string FullPath(ITaskItem item)
    {
        var full = item.GetMetadata("FullPath");
        return string.IsNullOrEmpty(full) ? Path.GetFullPath(item.ItemSpec) : full;
    }

    private static List<string> Specs(ITaskItem[] items) => items.Select(i => i.ItemSpec).Where(a => a.Length > 0).ToList();

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
