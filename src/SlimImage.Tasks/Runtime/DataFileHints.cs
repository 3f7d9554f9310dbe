using SlimImage.Closure;
using SlimImage.Diagnostics;
using SlimImage.FileSystem;

namespace SlimImage.Runtime;

/// <summary>
/// Host libraries known to read data files at run time that no ELF header names. When one is in the image (usually
/// pulled in by a NuGet package's native library, e.g. SkiaSharp's needs fontconfig) and the user did not add its
/// files, SLIM1204 names them and the SlimImageFile item that adds them. SlimImage does not add them itself: which
/// fonts or which Kerberos realm the app needs is the app's decision.
/// </summary>
public static class DataFileHints
{
    private sealed record Known(string SonamePrefix, string What, string[] Paths);

    private static readonly Known[] Libraries =
    [
        // FcInitLoadConfigAndFonts reads FONTCONFIG_FILE or /etc/fonts/fonts.conf, which points at the font folders.
        new("libfontconfig.so.", "its configuration and the fonts it lists", ["/etc/fonts", "/usr/share/fonts"]),
        // krb5_init_context reads KRB5_CONFIG or /etc/krb5.conf for the default realm and the KDCs.
        new("libkrb5.so.", "the Kerberos configuration", ["/etc/krb5.conf"]),
        // PROJ looks up proj.db in PROJ_DATA (PROJ_LIB before 9.1) or its install prefix's share/proj.
        new("libproj.so.", "its database proj.db", ["/usr/share/proj"]),
        new("libgdal.so.", "its support files (GDAL_DATA)", ["/usr/share/gdal"]),
        new("libtesseract.so.", "its trained language data (TESSDATA_PREFIX)", ["/usr/share/tesseract-ocr"]),
    ];

    public static IEnumerable<SlimDiagnostic> For(ClosureResult closure, RuntimeRequest request)
    {
        var added = request.UserPaths.Select(SysrootPath.Normalize).ToList();
        foreach (var known in Libraries)
        {
            var library = closure.Libraries.FirstOrDefault(l => l.Soname.StartsWith(known.SonamePrefix, StringComparison.Ordinal));
            if (library == null) continue;
            var missing = known.Paths.Where(p => !added.Any(a => p == a || p.StartsWith(a + "/", StringComparison.Ordinal))).ToList();
            if (missing.Count == 0) continue;
            // The build machine's copy when it has one, else a placeholder for the user's own (a krb5.conf is site-specific).
            var items = string.Join(" ", missing.Select(p => SysrootPath.Resolve(request.Sysroot, p) != null
                ? $"<SlimImageFile Include=\"{SysrootPath.ToHost(request.Sysroot, p)}\" DestinationPath=\"{p}\" />"
                : $"<SlimImageFile Include=\"your {Path.GetFileName(p)}\" DestinationPath=\"{p}\" />"));
            yield return SlimDiagnostic.Info("SLIM1204", library.Soname, library.NeededBy, known.What, string.Join(", ", missing), items);
        }
    }
}
