using System.Buffers;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using System.Text;
using SlimImage.Publish;
using SlimImage.FileSystem;
using SlimImage.Publish.Bundle;

namespace SlimImage.Runtime;

/// <summary>Whether the app can load OpenSSL, why, and the sonames its loader would try, in order.</summary>
public sealed record OpenSslUse(bool Loads, string Reason, IReadOnlyList<string> ProbeOrder);

/// <summary>
/// Finds out from the publish output itself whether the app can load OpenSSL. .NET reaches OpenSSL only through
/// its crypto shim, System.Security.Cryptography.Native.OpenSsl, which dlopens libssl (opensslshim.c):
/// <list type="bullet">
/// <item>self-contained: the shim is a file of the publish output, loaded when a managed assembly P/Invokes it, so
/// the signal is an assembly whose metadata imports the shim's module (a trimmed app without crypto has none);</item>
/// <item>single-file: the shim is linked into the bundle's host, and the assemblies that may P/Invoke it are inside
/// the bundle: their metadata is read from there (inflated when compressed);</item>
/// <item>NativeAOT: the shim is linked into the binary only when the app calls it (DirectPInvoke of a static
/// archive), and then the binary holds the sonames the shim dlopens as strings.</item>
/// </list>
/// </summary>
public static class OpenSslDetection
{
    /// <summary>The crypto shim's module name, as DllImport names it (Interop.Libraries.CryptoNative).</summary>
    public const string ShimModule = "libSystem.Security.Cryptography.Native.OpenSsl";
    public const string ShimFile = ShimModule + ".so";

    /// <summary>
    /// The shim's probe order after the DOTNET_OPENSSL_VERSION_OVERRIDE (CLR_ before .NET 10) version: OpenSSL 3
    /// first, then the 1.x names distributions used (opensslshim.c, OpenLibraryOnce).
    /// </summary>
    public static readonly IReadOnlyList<string> StandardProbeOrder =
        ["libssl.so.3", "libssl.so.1.1", "libssl.so.1.0.2", "libssl.so.1.0.0", "libssl.so.10"];

    private static readonly byte[][] ProbeNeedles = StandardProbeOrder.Select(n => Encoding.ASCII.GetBytes(n + "\0")).ToArray();

    public static OpenSslUse Detect(PublishSelection publish, IReadOnlyList<SingleFileBundle>? bundles = null)
    {
        bundles ??= SingleFileBundle.Find(publish.Kept);
        if (bundles.Count > 0)
            return FromBundles(publish, bundles);
        var shim = publish.Kept.FirstOrDefault(f => Path.GetFileName(f.RelativePath) == ShimFile);
        if (shim != null)
        {
            var probes = ProbeNamesIn(shim.HostPath);
            var order = probes.Count > 0 ? probes : StandardProbeOrder;
            var managed = publish.Kept.Where(f => f.RelativePath.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)).ToList();
            var importers = managed.Where(f => ImportsShim(f.HostPath)).Select(f => f.RelativePath).ToList();
            if (importers.Count > 0)
                return new OpenSslUse(true, $"{Describe(importers)} P/Invoke{(importers.Count == 1 ? "s" : "")} {ShimFile}", order);
            // Nothing to read the imports from: play safe, as the shim is there to be loaded.
            if (!managed.Any(f => HasMetadata(f.HostPath)))
                return new OpenSslUse(true, $"the publish output has {ShimFile} and no assembly whose imports can be read", order);
            return new OpenSslUse(false, $"no assembly of the publish output P/Invokes {ShimFile} (trimmed away)", order);
        }

        // NativeAOT (or a NuGet library that dlopens OpenSSL itself): an ELF file naming the sonames.
        foreach (var file in publish.Kept)
        {
            if (!IsElf(file.HostPath)) continue;
            var probes = ProbeNamesIn(file.HostPath);
            if (probes.Count > 0)
                return new OpenSslUse(true, $"{file.RelativePath} dlopens {string.Join(", ", probes)}", probes);
        }
        return new OpenSslUse(false, "no file of the publish output loads OpenSSL (the NativeAOT binary does not link the crypto shim)",
            StandardProbeOrder);
    }

    /// <summary>
    /// A single-file app loads OpenSSL when an assembly in a bundle (or loose next to it) imports the shim; the sonames
    /// it would try are those the bundle's host holds, where the shim is linked in.
    /// </summary>
    private static OpenSslUse FromBundles(PublishSelection publish, IReadOnlyList<SingleFileBundle> bundles)
    {
        var importers = new List<string>();
        foreach (var bundle in bundles)
            foreach (var entry in bundle.Assemblies)
            {
                using var content = BundleEntryReader.OpenSeekable(bundle.Manifest, entry);
                if (ImportsShim(content)) importers.Add($"{entry.RelativePath} (in {bundle.File.RelativePath})");
            }
        importers.AddRange(publish.Kept.Where(f => f.RelativePath.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) && ImportsShim(f.HostPath))
            .Select(f => f.RelativePath));
        var probes = bundles.Select(b => ProbeNamesIn(b.File.HostPath)).FirstOrDefault(p => p.Count > 0) ?? StandardProbeOrder;
        return importers.Count > 0
            ? new OpenSslUse(true, $"{Describe(importers)} P/Invoke{(importers.Count == 1 ? "s" : "")} {ShimFile}", probes)
            : new OpenSslUse(false, $"no assembly of the single-file bundle {string.Join(", ", bundles.Select(b => b.File.RelativePath))} P/Invokes {ShimFile} (trimmed away)", probes);
    }

    /// <summary>Which of <see cref="StandardProbeOrder"/> the file holds as C strings, in probe order.</summary>
    public static IReadOnlyList<string> ProbeNamesIn(string hostPath)
    {
        // Read in chunks that overlap by more than the longest name: a NuGet native library can be hundreds of MB.
        const int overlap = 64;
        var found = new HashSet<string>(StringComparer.Ordinal);
        byte[]? buffer = null;
        try
        {
            using var stream = HostFile.OpenRead(hostPath, Role, bufferSize: 0);
            // Pooled and small: the image step runs inside MSBuild, where every megabyte allocated brings the next
            // collection of MSBuild's whole heap closer (see Layers/Compression/NativeBuffer).
            buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
            var carry = 0;
            for (var first = true; ; first = false)
            {
                var read = stream.Read(buffer, carry, buffer.Length - carry);
                if (read == 0) break;
                var chunk = buffer.AsSpan(0, carry + read);
                for (var i = 0; i < StandardProbeOrder.Count; i++)
                    if (!found.Contains(StandardProbeOrder[i]) && ContainsCString(chunk, ProbeNeedles[i], startIsBoundary: first))
                        found.Add(StandardProbeOrder[i]);
                carry = Math.Min(overlap, chunk.Length);
                chunk[^carry..].CopyTo(buffer);
            }
        }
        catch (IOException)
        {
            return [];
        }
        finally
        {
            if (buffer != null) ArrayPool<byte>.Shared.Return(buffer);
        }
        return StandardProbeOrder.Where(found.Contains).ToList();
    }

    /// <summary>
    /// True when <paramref name="text"/> occurs NUL-terminated and not as the tail of a longer name. A match at offset
    /// 0 counts only when <paramref name="startIsBoundary"/> (the data starts the file).
    /// </summary>
    internal static bool ContainsCString(ReadOnlySpan<byte> data, string text, bool startIsBoundary = true) =>
        ContainsCString(data, Encoding.ASCII.GetBytes(text + "\0"), startIsBoundary);

    private static bool ContainsCString(ReadOnlySpan<byte> data, ReadOnlySpan<byte> needle, bool startIsBoundary)
    {
        var offset = 0;
        while (true)
        {
            var at = data[offset..].IndexOf(needle);
            if (at < 0) return false;
            var start = offset + at;
            if (start == 0 ? startIsBoundary : !IsNameChar(data[start - 1])) return true;
            offset = start + 1;
        }
    }

    private static bool IsNameChar(byte b) => char.IsAsciiLetterOrDigit((char)b) || b is (byte)'.' or (byte)'_' or (byte)'-';

    /// <summary>True when the assembly's metadata has a module reference to the shim (its P/Invokes name it).</summary>
    public static bool ImportsShim(string hostPath)
    {
        try
        {
            using var stream = HostFile.OpenRead(hostPath, Role);
            return ImportsShim(stream);
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>The same for an assembly's bytes (an assembly inside a single-file bundle).</summary>
    public static bool ImportsShim(Stream stream)
    {
        try
        {
            using var pe = new PEReader(stream, PEStreamOptions.LeaveOpen);
            if (!pe.HasMetadata) return false;
            var metadata = pe.GetMetadataReader();
            for (var row = 1; row <= metadata.GetTableRowCount(TableIndex.ModuleRef); row++)
            {
                var name = metadata.GetString(metadata.GetModuleReference(MetadataTokens.ModuleReferenceHandle(row)).Name);
                if (name == ShimModule || name == ShimFile) return true;
            }
            return false;
        }
        catch (Exception e) when (e is BadImageFormatException or IOException or InvalidOperationException)
        {
            return false;
        }
    }

    private static bool HasMetadata(string hostPath)
    {
        try
        {
            using var stream = HostFile.OpenRead(hostPath, Role);
            using var pe = new PEReader(stream);
            return pe.HasMetadata;
        }
        catch (Exception e) when (e is BadImageFormatException or IOException)
        {
            return false;
        }
    }

    private static bool IsElf(string hostPath)
    {
        try
        {
            using var stream = HostFile.OpenRead(hostPath, Role);
            Span<byte> magic = stackalloc byte[4];
            return stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false) == 4 && magic.SequenceEqual(ElfMagic);
        }
        catch (IOException)
        {
            return false;
        }
    }

    private const string Role = "read to see whether it loads OpenSSL";

    private static ReadOnlySpan<byte> ElfMagic => [0x7F, (byte)'E', (byte)'L', (byte)'F'];

    private static string Describe(IReadOnlyList<string> names) =>
        names.Count <= 3 ? string.Join(", ", names) : string.Join(", ", names.Take(3)) + $" and {names.Count - 3} more";
}
