using SlimImage.Closure;
using SlimImage.Diagnostics;
using SlimImage.Publish;

namespace SlimImage.Runtime;

/// <summary>
/// What the .NET runtime loads that no ELF header names: libraries it opens with dlopen, and data files it
/// reads. The closure resolves the libraries (with their own dependencies) like any DT_NEEDED; the planner adds the
/// <see cref="DataSets"/> as they are.
/// </summary>
public sealed record RuntimeNeeds(IReadOnlyList<ExtraSoname> Sonames)
{
    public static readonly RuntimeNeeds None = new([]);

    /// <summary>Data files: the CA bundle with OpenSSL, the zoneinfo database with SlimImageTimeZoneData.</summary>
    public IReadOnlyList<RuntimeDataSet> DataSets { get; init; } = [];

    /// <summary>Why OpenSSL is in the image (null: it is not), for the SLIM1203 message.</summary>
    public string? OpenSslReason { get; init; }
}

/// <summary>Decides the <see cref="RuntimeNeeds"/> of an app from its publish output and project settings.</summary>
public static class RuntimeDependencies
{
    private const string IcuReason = "the ICU probe of System.Globalization.Native";
    private const string OpenSslReason = "the OpenSSL probe of System.Security.Cryptography.Native";
    private const string GssapiReason = "the GSSAPI probe of System.Net.Security.Native (SlimImageKerberos=true)";

    // pal_gssapi.c dlopens exactly this name (GSS_SHIM), lazily, the first time Negotiate authentication is used.
    private const string Gssapi = "libgssapi_krb5.so.2";

    public static RuntimeNeeds Find(RuntimeRequest request, PublishSelection publish, LibraryResolver resolver) =>
        Find(request, publish, resolver, _ => { });

    public static RuntimeNeeds Find(RuntimeRequest request, PublishSelection publish, LibraryResolver resolver, Action<SlimDiagnostic> report,
        IReadOnlyList<Publish.Bundle.SingleFileBundle>? bundles = null)
    {
        var sonames = new List<ExtraSoname>();
        var data = new List<RuntimeDataSet>();
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

        var openSsl = OpenSsl(request, publish, bundles);
        if (openSsl.Loads)
        {
            // The shim takes the first name dlopen finds, and aborts ("No usable version of libssl was found") when
            // none loads: the image gets the one the build machine would give, or the build stops here.
            var libssl = openSsl.ProbeOrder.FirstOrDefault(name => CanLoad(resolver, name))
                ?? throw new SlimException("SLIM2100", openSsl.Reason, string.Join(", ", openSsl.ProbeOrder), request.Sysroot);
            sonames.Add(new ExtraSoname(libssl, OpenSslReason));
            data.Add(RuntimeData.CaBundle(request.Sysroot, request.CaCertificates, report));
        }
        else if (request.CaCertificates.Count > 0)
        {
            report(SlimDiagnostic.Warning("SLIM2102", string.Join(", ", request.CaCertificates), openSsl.Reason));
        }

        if (request.Kerberos)
        {
            if (!CanLoad(resolver, Gssapi))
                throw new SlimException("SLIM2104", Gssapi, request.Sysroot);
            sonames.Add(new ExtraSoname(Gssapi, GssapiReason));
        }

        if (request.TimeZoneData)
            data.Add(RuntimeData.ZoneInfo(request.Sysroot)
                ?? throw new SlimException("SLIM2103", RuntimeData.ZoneInfoPath, request.Sysroot));

        return new RuntimeNeeds(sonames) { DataSets = data, OpenSslReason = openSsl.Loads ? openSsl.Reason : null };
    }

    private static OpenSslUse OpenSsl(RuntimeRequest request, PublishSelection publish, IReadOnlyList<Publish.Bundle.SingleFileBundle>? bundles)
    {
        if (request.OpenSsl == OpenSslMode.Exclude)
            return new OpenSslUse(false, "SlimImageOpenSsl=false", []);
        var detected = OpenSslDetection.Detect(publish, bundles);
        var use = request.OpenSsl == OpenSslMode.Include ? detected with { Loads = true, Reason = "SlimImageOpenSsl=true" } : detected;
        // The version the user pins in the image's environment is what the shim tries first.
        var pinned = request.Environment.Where(e => e.Key is "DOTNET_OPENSSL_VERSION_OVERRIDE" or "CLR_OPENSSL_VERSION_OVERRIDE")
            .Select(e => e.Value.Trim()).FirstOrDefault(v => v.Length > 0);
        return pinned == null ? use : use with { ProbeOrder = ["libssl.so." + pinned, .. use.ProbeOrder.Where(p => p != "libssl.so." + pinned)] };
    }

    /// <summary>Whether dlopen of <paramref name="soname"/> by the runtime would find a library in the sysroot.</summary>
    private static bool CanLoad(LibraryResolver resolver, string soname)
    {
        _ = resolver.Target; // reads the inputs: the search list depends on the target's class and machine
        return resolver.SearchList(null).Any(dir => resolver.Probe(dir, soname, []) != null);
    }

    /// <summary>Tells the user what the runtime's dlopen libraries cost, and how to do without them.</summary>
    public static void Report(RuntimeNeeds needs, ClosureResult closure, Action<SlimDiagnostic> report) =>
        Report(needs, closure, null, report);

    public static void Report(RuntimeNeeds needs, ClosureResult closure, RuntimeRequest? request, Action<SlimDiagnostic> report)
    {
        var icu = needs.Sonames.FirstOrDefault(s => s.Reason == IcuReason);
        if (icu != null)
            report(SlimDiagnostic.Info("SLIM1100", icu.Soname["libicuuc.so.".Length..], ByteSize.Format(SizeOf(closure, "libicu"))));
        var ssl = needs.Sonames.FirstOrDefault(s => s.Reason == OpenSslReason);
        if (ssl != null)
        {
            var bytes = SizeOf(closure, "libssl") + SizeOf(closure, "libcrypto")
                + needs.DataSets.Where(d => d.ImagePath == RuntimeData.CaBundlePath).Sum(d => d.Size);
            report(SlimDiagnostic.Info("SLIM1203", ssl.Soname, ByteSize.Format(bytes), needs.OpenSslReason));
        }
        if (request != null)
            foreach (var hint in DataFileHints.For(closure, request))
                report(hint);
    }

    private static long SizeOf(ClosureResult closure, string sonamePrefix) =>
        closure.Libraries.Where(l => l.Soname.StartsWith(sonamePrefix, StringComparison.Ordinal))
            .Sum(l => new FileInfo(l.Resolution?.HostPath ?? l.HostPath).Length);
}
