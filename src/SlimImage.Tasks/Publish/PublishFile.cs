using SlimImage.Entries;

namespace SlimImage.Publish;

/// <summary>
/// One file of the publish output: where it is on the build machine, where it sits below the publish folder
/// (and so below /app in the image), and where it came from (the runtime pack, a NuGet package, the app).
/// </summary>
public sealed record PublishFile(string HostPath, string RelativePath, EntryOrigin Origin)
{
    /// <summary>What ResolvedFileToPublish says the file is; null for a file only the publish folder knows (a bundle, a static web asset).</summary>
    public PublishAsset? Asset { get; init; }

    /// <summary>The NuGet package as "Id Version", for messages; null for the app's own files.</summary>
    public string? Package => Asset?.PackageId is { } id ? (id + " " + Asset.PackageVersion).Trim() : null;
}

/// <summary>A publish file left out of the image, and why, for the summary.</summary>
public sealed record LeftOutFile(PublishFile File, long Size, string Why);

/// <summary>What of the publish output goes into the image.</summary>
public sealed record PublishSelection(IReadOnlyList<PublishFile> Kept, IReadOnlyList<LeftOutFile> LeftOut);

/// <summary>Options that decide which publish files the image holds.</summary>
public sealed record PublishOptions(bool IncludeDebugSymbols, bool IncludeLttng, bool TrimDiagnostics = false);

/// <summary>
/// Chooses the publish files the image holds: everything, except what the app never loads at run time.
/// </summary>
public static class PublishOutput
{
    // libcoreclr dlopens this LTTng trace provider from its own folder and ignores a failure
    // (src/coreclr/pal/src/misc/tracepointprovider.cpp); it needs liblttng-ust.so.0, which most hosts lack.
    public const string LttngProvider = "libcoreclrtraceptprovider.so";

    /// <summary>
    /// Debugger and dump support, loaded only by a debugger (libmscordbi, the DAC libmscordaccore) or started on a crash
    /// when DOTNET_DbgEnableMiniDump is set (createdump); SlimImageTrimDiagnostics=true leaves them out.
    /// </summary>
    public static readonly IReadOnlySet<string> DiagnosticsFiles =
        new HashSet<string>(StringComparer.Ordinal) { "libmscordaccore.so", "libmscordbi.so", "createdump" };

    public static PublishSelection Select(IEnumerable<PublishFile> files, PublishOptions options)
    {
        var kept = new List<PublishFile>();
        var leftOut = new List<LeftOutFile>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in files.OrderBy(f => f.RelativePath, StringComparer.Ordinal))
        {
            if (!seen.Add(file.RelativePath))
                continue;
            var why = WhyLeftOut(file, options);
            if (why == null)
                kept.Add(file);
            else
                leftOut.Add(new LeftOutFile(file, SizeOf(file.HostPath), why));
        }
        return new PublishSelection(kept, leftOut);
    }

    private static string? WhyLeftOut(PublishFile file, PublishOptions options)
    {
        var name = Path.GetFileName(file.RelativePath);
        if (!options.IncludeDebugSymbols && (name.EndsWith(".dbg", StringComparison.Ordinal) || name.EndsWith(".pdb", StringComparison.Ordinal)))
            return "Debug symbols are not needed to run; set SlimImageIncludeDebugSymbols=true to keep them.";
        if (!options.IncludeLttng && name == LttngProvider)
            return "The runtime skips the LTTng trace provider when it is absent (it needs liblttng-ust); set SlimImageLttng=true to keep it.";
        if (options.TrimDiagnostics && file.RelativePath == name && DiagnosticsFiles.Contains(name))
            return "SlimImageTrimDiagnostics=true: no debugger can attach and no crash dump can be written (createdump, dotnet-dump collect); unset it to keep them.";
        return null;
    }

    private static long SizeOf(string path)
    {
        try { return new FileInfo(path).Length; }
        catch (IOException) { return 0; }
    }
}
