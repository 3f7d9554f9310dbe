using SlimImage.Closure;
using SlimImage.Diagnostics;
using SlimImage.Pipeline;
using SlimImage.Publish;

namespace SlimImage.Runtime;

/// <summary>
/// What the .NET runtime loads that no ELF header names: libraries it opens with dlopen, and data files it
/// reads. The closure resolves the libraries (with their own dependencies) like any DT_NEEDED.
/// </summary>
public sealed record RuntimeNeeds(IReadOnlyList<ExtraSoname> Sonames)
{
    public static readonly RuntimeNeeds None = new([]);
}

/// <summary>Decides the <see cref="RuntimeNeeds"/> of an app from its publish output and project settings.</summary>
public static class RuntimeDependencies
{
    private const string IcuReason = "the ICU probe of System.Globalization.Native";

    public static RuntimeNeeds Find(ImageRequest request, PublishSelection publish, LibraryResolver resolver)
    {
        var sonames = new List<ExtraSoname>();
        if (!request.InvariantGlobalization)
        {
            // System.Globalization.Native probes libicuuc.so.N / libicui18n.so.N by dlopen, highest N first
            // (src/native/libs/System.Globalization.Native/pal_icushim.c); without ICU a non-invariant app fails
            // at start, so a missing ICU is an error here rather than in production.
            var icuuc = resolver.FindHighestVersionedSoname("libicuuc.so.")
                ?? throw new SlimException("SLIM2050", request.Sysroot);
            var version = icuuc["libicuuc.so.".Length..];
            sonames.Add(new ExtraSoname(icuuc, IcuReason));
            sonames.Add(new ExtraSoname("libicui18n.so." + version, IcuReason));
        }
        return new RuntimeNeeds(sonames);
    }

    /// <summary>Tells the user what the runtime's dlopen libraries cost, and how to do without them.</summary>
    public static void Report(RuntimeNeeds needs, ClosureResult closure, Action<SlimDiagnostic> report)
    {
        var icu = needs.Sonames.FirstOrDefault(s => s.Reason == IcuReason);
        if (icu == null)
            return;
        var bytes = closure.Libraries.Where(l => l.Soname.StartsWith("libicu", StringComparison.Ordinal))
            .Sum(l => new FileInfo(l.Resolution?.HostPath ?? l.HostPath).Length);
        report(SlimDiagnostic.Info("SLIM1100", icu.Soname["libicuuc.so.".Length..], ImagePipeline.Size(bytes)));
    }
}
