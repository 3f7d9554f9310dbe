using SlimImage.Tar;
using System.Security.Cryptography;
using System.Text;
using SlimImage.Diagnostics;
using SlimImage.Image;
using SlimImage.Layers;
using SlimImage.Rootfs;
using SlimImage.Oci;
using SlimImage.Entries;

namespace SlimImage.Sbom;

/// <summary>
/// Builds the format-neutral <see cref="SbomDocument"/> of one image from what the earlier stages know of every file:
/// the publish items' NuGet package and version, the dpkg database's package of each host file, the checksums the
/// layer writer took. Reads only the packages' metadata (nuspec, copyright), each once.
/// </summary>
public static class SbomBuilder
{
    /// <summary>The document of the image <paramref name="manifest"/>: SlimImage's <paramref name="entries"/> with the
    /// <paramref name="checksums"/> the layer writer took, and <paramref name="baseFiles"/>, the files the base image puts
    /// into it (those the entries do not replace) with theirs, which belong to the base image's package.</summary>
    public static SbomDocument Build(SbomOptions options, Descriptor manifest, IReadOnlyList<RootfsEntry> entries, HostPackages debian,
        IReadOnlyDictionary<string, FileChecksum> checksums, Action<SlimDiagnostic> report, IReadOnlyList<FileChecksum>? baseFiles = null)
    {
        var problems = new List<string>();
        var root = new SbomPackage("SPDXRef-Image", SbomPackageKind.Image, options.Repository, manifest.Digest.ToString())
        {
            Purl = $"pkg:oci/{Purl.Encode(options.Repository[(options.Repository.LastIndexOf('/') + 1)..])}@{Purl.Encode(manifest.Digest.ToString())}?arch={Purl.Encode(options.Architecture)}",
            Sha256 = manifest.Digest.Hex,
            SourceInfo = "the image manifest, built by SlimImage",
        };
        var app = new SbomPackage(Id("Application", options.AppName), SbomPackageKind.Application, options.AppName, options.AppVersion)
        {
            DownloadLocation = options.SourceRepositoryUrl == null ? null
                : "git+" + options.SourceRepositoryUrl + (options.SourceRevision == null ? "" : "@" + options.SourceRevision),
            SourceInfo = options.SourceRevision == null ? null : $"built from {options.SourceRepositoryUrl ?? "its repository"} at {options.SourceRevision}",
        };
        var packages = new List<SbomPackage> { app };
        var licenses = new List<ExtractedLicense>();
        var owner = new Dictionary<string, string>(StringComparer.Ordinal);

        foreach (var group in entries.Where(e => e.Kind == EntryKind.File && e.Asset?.PackageId != null)
                     .GroupBy(e => (e.Asset!.PackageId!, e.Asset.PackageVersion ?? "")).OrderBy(g => g.Key.Item1, StringComparer.OrdinalIgnoreCase).ThenBy(g => g.Key.Item2, StringComparer.Ordinal))
        {
            var (id, version) = group.Key;
            var nuspec = NuGetMetadata.Find(id, version, options.PackageFolders, problems);
            var package = new SbomPackage(Id("NuGet", id + "-" + version), SbomPackageKind.NuGet, id, version.Length == 0 ? null : version)
            {
                Purl = $"pkg:nuget/{Purl.Encode(id)}" + (version.Length == 0 ? "" : "@" + Purl.Encode(version)),
                License = nuspec?.License,
                DownloadLocation = nuspec?.RepositoryUrl is { } repo ? "git+" + repo + (nuspec.Commit == null ? "" : "@" + nuspec.Commit) : null,
                SourceInfo = nuspec == null ? "the publish items (no .nuspec found in the package folders)" : "the publish items and the package's .nuspec",
                // The app's dependencies, as trivy and syft relate them: a scanner reading the SBOM looks for language
                // packages under an application.
                Parent = app.Id,
            };
            packages.Add(package);
            foreach (var e in group) owner[e.Path] = package.Id;
        }

        var distro = debian.Distro;
        var osFields = debian.OsReleaseFields();
        var osId = osFields.GetValueOrDefault("ID") ?? "debian";
        var inPlan = entries.Where(e => e.Kind == EntryKind.File).Select(e => e.Path).ToHashSet(StringComparer.Ordinal);
        var carried = debian.Owners.Where(o => inPlan.Contains(o.Key)).ToList();
        if (carried.Count > 0)
        {
            var os = new SbomPackage(Id("OperatingSystem", osId), SbomPackageKind.OperatingSystem, osId,
                distro == null ? osFields.GetValueOrDefault("VERSION_ID") : distro[(osId.Length + 1)..])
            { SourceInfo = "the build machine's /etc/os-release and /etc/debian_version" };
            packages.Add(os);
            var missing = new List<string>();
            foreach (var dpkg in carried.Select(o => o.Value).DistinctBy(p => p.Name).OrderBy(p => p.Name, StringComparer.Ordinal))
            {
                var license = DebianCopyright.Read(options.Sysroot, dpkg.Name, out var noFile, out var problem);
                if (noFile) missing.Add(dpkg.Name);
                else if (problem != null) problems.Add($"/usr/share/doc/{dpkg.Name}/copyright: {problem}");
                if (license != null) licenses.AddRange(license.Refs);
                var package = new SbomPackage(Id("Debian", dpkg.Name), SbomPackageKind.Debian, dpkg.Name, dpkg.Version)
                {
                    Purl = DebianPurl(osId, dpkg, distro),
                    License = license?.Expression,
                    SourceInfo = dpkg.Source == null || dpkg.Source == dpkg.Name ? "the dpkg database" : $"built package from: {dpkg.Source} {dpkg.Version}",
                    Parent = os.Id,
                };
                packages.Add(package);
                foreach (var (path, p) in carried.Where(c => c.Value.Name == dpkg.Name)) owner[path] = package.Id;
            }
            if (missing.Count > 0)
                report(SlimDiagnostic.Warning("SLIM5102", options.Sysroot, string.Join(", ", missing)));
        }
        if (options.BaseName != null)
            packages.Add(new SbomPackage(BaseId, SbomPackageKind.BaseImage, options.BaseName, options.BaseDigest?.ToString())
            {
                Sha256 = options.BaseDigest?.Hex,
                SourceInfo = "the base image (a digest is its config's, its image ID); its files are listed as its own, its packages are in its own SBOM",
            });
        if (problems.Count > 0)
            report(SlimDiagnostic.Warning("SLIM5103", string.Join("; ", problems)));

        var files = new List<SbomFile>();
        foreach (var e in entries.Where(e => e.Kind == EntryKind.File))
        {
            if (!checksums.TryGetValue(e.Path, out var sum))
                throw new InvalidOperationException($"No checksum was taken for {e.Path}.");
            var package = owner.GetValueOrDefault(e.Path) ?? (e.Path.StartsWith("/app/", StringComparison.Ordinal) ? app.Id : null);
            files.Add(new SbomFile(Id("File", e.Path), e.Path, sum.Sha1, sum.Sha256, package));
        }
        foreach (var f in (baseFiles ?? []).Where(f => !inPlan.Contains(f.Path)).DistinctBy(f => f.Path))
            files.Add(new SbomFile(Id("File", f.Path), f.Path, f.Sha1, f.Sha256, options.BaseName == null ? null : BaseId));
        var name = $"{options.Repository}@{manifest.Digest}";
        return new SbomDocument(name, options.Timestamp, ToolVersion(), root, packages, files.OrderBy(f => f.Path, StringComparer.Ordinal).ToList(),
            licenses.DistinctBy(l => l.Id).OrderBy(l => l.Id, StringComparer.Ordinal).ToList());
    }

    private const string BaseId = "SPDXRef-Base";

    /// <summary>As trivy writes it: <c>pkg:deb/debian/libssl3@3.0.17-1~deb12u2?arch=amd64&amp;distro=debian-12.11</c>, the epoch as a qualifier.</summary>
    public static string DebianPurl(string osId, DpkgPackage package, string? distro)
    {
        var version = package.Version;
        var colon = version.IndexOf(':');
        var epoch = colon > 0 ? version[..colon] : null;
        if (colon > 0) version = version[(colon + 1)..];
        var qualifiers = new List<string>();
        if (package.Architecture.Length > 0) qualifiers.Add("arch=" + Purl.Encode(package.Architecture));
        if (distro != null) qualifiers.Add("distro=" + Purl.Encode(distro));
        if (epoch != null) qualifiers.Add("epoch=" + Purl.Encode(epoch));
        return $"pkg:deb/{Purl.Encode(osId)}/{Purl.Encode(package.Name)}@{Purl.Encode(version)}" + (qualifiers.Count > 0 ? "?" + string.Join("&", qualifiers) : "");
    }

    /// <summary>A stable SPDX id: the kind, the name's safe characters, and 8 hex digits of its hash (two names may clean up alike).</summary>
    internal static string Id(string kind, string name)
    {
        var safe = new string(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '-').ToArray()).Trim('-');
        if (safe.Length > 80) safe = safe[^80..].TrimStart('-');
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(kind + "\0" + name)))[..8].ToLowerInvariant();
        return $"SPDXRef-{kind}-{safe}-{hash}";
    }

    private static string ToolVersion()
    {
        var version = typeof(SbomBuilder).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion ?? "0";
        var plus = version.IndexOf('+');
        return plus > 0 ? version[..plus] : version;
    }
}

/// <summary>Package URL component encoding (package-url/purl-spec): everything but unreserved characters percent-encoded.</summary>
public static class Purl
{
    public static string Encode(string value)
    {
        var text = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            if (b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9' or (byte)'.' or (byte)'-' or (byte)'_' or (byte)'~')
                text.Append((char)b);
            else
                text.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return text.ToString();
    }
}
