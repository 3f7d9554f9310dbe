using System.Text;
using SlimImage.Closure;
using SlimImage.Diagnostics;
using SlimImage.Publish;
using SlimImage.Publish.Bundle;
using SlimImage.Runtime;
using SlimImage.Oci;
using SlimImage.Entries;

namespace SlimImage.Pipeline;

/// <summary>What the closure stage decided: the libraries, the runtime's needs, and the publish files that stay.</summary>
public sealed record ClosureOutcome(ClosureResult Closure, RuntimeNeeds Needs, PublishSelection Publish, IReadOnlyList<SingleFileBundle> Bundles);

/// <summary>
/// The ELF closure of the publish output and of the native libraries inside single-file bundles, with what the runtime
/// dlopens; native files that cannot load are left out (<see cref="NativeTriage"/>), and the user's
/// SlimImageNativeLibrary choices are applied first.
/// </summary>
public static class ClosureStage
{
    public static ClosureOutcome Run(ImageRequest request, PublishSelection publish, Platform platform, IReadOnlyList<string> baseInputs,
        string scratch, Action<SlimDiagnostic> report)
    {
        publish = ApplyDrops(request, publish, report);
        var bundles = SingleFileBundle.Find(publish.Kept);
        var bundled = new List<BundledNative>();
        for (var i = 0; i < bundles.Count; i++)
        {
            var natives = bundles[i].ExtractNatives(Path.Combine(scratch, "bundle" + i));
            bundled.AddRange(natives);
            var m = bundles[i].Manifest;
            report(SlimDiagnostic.Detail("SLIM1045", bundles[i].File.RelativePath, $"{m.MajorVersion}.{m.MinorVersion}",
                bundles[i].Assemblies.Count(), natives.Count, m.Entries.Any(e => e.IsCompressed) ? ", compressed" : ""));
        }
        foreach (var choice in request.NativeLibraries)
            if (!publish.Kept.Concat(publish.LeftOut.Select(l => l.File)).Any(f => choice.Matches(f.RelativePath))
                && !bundled.Any(b => choice.Matches(b.EntryPath)))
                report(SlimDiagnostic.Warning("SLIM1043", choice.Name));

        var inputs = publish.Kept.Select(f => new NativeInput(Path.GetFullPath(f.HostPath), f.RelativePath, f.Origin, f.Package,
                NativeLibraryChoice.KeepOf(request.NativeLibraries, f.RelativePath)))
            .Concat(bundled.Select(b => new NativeInput(Path.GetFullPath(b.HostPath), b.Name, b.Origin, b.Package,
                NativeLibraryChoice.KeepOf(request.NativeLibraries, b.EntryPath))))
            .Where(n => n.Keep != false) // a bundled library the user drops is not resolved (it stays in its bundle)
            .ToList();
        var wrongTarget = NativeTriage.WrongTarget(inputs, Elf.ElfTarget.For(platform));
        var closureRequest = new ClosureRequest
        {
            Sysroot = request.Sysroot,
            PublishDir = request.PublishDirectory,
            Inputs = inputs.Where(n => wrongTarget.All(w => w.File != n)).Select(n => n.HostPath).Concat(baseInputs).ToList(),
            InputNames = bundled.ToDictionary(b => Path.GetFullPath(b.HostPath), b => b.Name, StringComparer.Ordinal),
            ExtraLibraryDirs = request.LibraryPaths,
            Target = Elf.ElfTarget.For(platform),
        };
        var resolver = new LibraryResolver(closureRequest, report);
        var runtime = StageOptions.Runtime(request);
        var needs = RuntimeDependencies.Find(runtime, publish, resolver, report, bundles);
        var triage = NativeTriage.Resolve(resolver, inputs, needs.Sonames, wrongTarget);
        RuntimeDependencies.Report(needs, triage.Closure, runtime, report);
        return new ClosureOutcome(triage.Closure, needs, LeaveOut(publish, triage.LeftOut, bundled, report), bundles);
    }

    /// <summary>SlimImageNativeLibrary Keep="false": out of the image before anything is resolved.</summary>
    private static PublishSelection ApplyDrops(ImageRequest request, PublishSelection publish, Action<SlimDiagnostic> report)
    {
        var dropped = publish.Kept.Where(f => NativeLibraryChoice.KeepOf(request.NativeLibraries, f.RelativePath) == false).ToList();
        if (dropped.Count == 0) return publish;
        var left = dropped.Select(f => new LeftOutFile(f, SizeOf(f.HostPath), "SlimImageNativeLibrary Keep=\"false\".")).ToList();
        foreach (var l in left)
            report(SlimDiagnostic.Info("SLIM1103", l.File.RelativePath, ByteSize.Format(l.Size), l.Why));
        return new PublishSelection(publish.Kept.Except(dropped).ToList(), publish.LeftOut.Concat(left).ToList());
    }

    private static PublishSelection LeaveOut(PublishSelection publish, IReadOnlyList<UnloadableNative> unloadable, List<BundledNative> bundled,
        Action<SlimDiagnostic> report)
    {
        var left = new List<LeftOutFile>();
        foreach (var u in unloadable)
        {
            var inBundle = bundled.FirstOrDefault(b => Path.GetFullPath(b.HostPath) == u.File.HostPath);
            if (inBundle != null)
            {
                report(SlimDiagnostic.Warning("SLIM2011", u.File.Name, u.File.Source, u.Why, Path.GetFileName(inBundle.EntryPath)));
                continue;
            }
            var file = publish.Kept.First(f => Path.GetFullPath(f.HostPath) == u.File.HostPath);
            var size = SizeOf(file.HostPath);
            report(SlimDiagnostic.Warning("SLIM2010", file.RelativePath, u.File.Source, u.Why, ByteSize.Format(size), Path.GetFileName(file.RelativePath)));
            left.Add(new LeftOutFile(file, size, u.Why));
        }
        if (left.Count == 0) return publish;
        var gone = left.Select(l => l.File).ToHashSet();
        return new PublishSelection(publish.Kept.Where(f => !gone.Contains(f)).ToList(), publish.LeftOut.Concat(left).ToList());
    }

    /// <summary>
    /// A bundle that extracts files writes them under $HOME/.net at start (DOTNET_BUNDLE_EXTRACT_BASE_DIR overrides):
    /// the image's user must have a home it can write. Checked on the image's own /etc/passwd and folders.
    /// </summary>
    public static void CheckExtractionHome(ImageRequest request, IReadOnlyList<SingleFileBundle> bundles, RootfsPlan plan,
        Base.BaseFileSystem? baseFiles = null)
    {
        var bundle = bundles.FirstOrDefault(b => b.Manifest.Extracts);
        if (bundle == null || request.Environment.Any(e => e.Key == "DOTNET_BUNDLE_EXTRACT_BASE_DIR" && e.Value.Trim().Length > 0)) return;
        var passwd = plan.Entries.FirstOrDefault(e => e.Path == "/etc/passwd")?.Content ?? baseFiles?.Content("/etc/passwd");
        if (passwd == null) return; // a base whose user table SlimImage cannot see: nothing to check against
        var what = $"{bundle.Manifest.Entries.Count(e => e.IsExtracted)} file(s)";
        var user = request.User.Split(':')[0];
        var line = Encoding.UTF8.GetString(passwd).Split('\n').Select(l => l.Split(':')).FirstOrDefault(f => f.Length >= 7 && (f[0] == user || f[2] == user));
        if (line == null || !int.TryParse(line[2], out var uid))
            throw new SlimException("SLIM1044", bundle.File.RelativePath, what, request.User, "has no entry in the image's /etc/passwd, so $HOME is not set");
        if (uid == 0) return;
        var home = line[5].TrimEnd('/');
        var ours = plan.Entries.FirstOrDefault(e => e.Path == home);
        var theirs = ours == null ? baseFiles?.Resolve(home) : null;
        var (kind, owner, mode) = ours != null ? (ours.Kind, ours.Uid, ours.Mode) : theirs != null ? (theirs.Kind, theirs.Uid, theirs.Mode) : (EntryKind.File, -1, 0);
        if (kind != EntryKind.Directory)
            throw new SlimException("SLIM1044", bundle.File.RelativePath, what, request.User, $"has the home '{line[5]}', which the image does not have");
        if (owner != uid || (mode & 0b010_000_000) == 0)
            throw new SlimException("SLIM1044", bundle.File.RelativePath, what, request.User, $"cannot write its home '{line[5]}' (owned by uid {owner}, mode {Convert.ToString(mode, 8)})");
    }

    private static long SizeOf(string path)
    {
        try { return new FileInfo(path).Length; }
        catch (IOException) { return 0; }
    }
}
