using System.Buffers;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using SlimImage.Image;
using SlimImage.Oci;

namespace SlimImage.Sbom;

/// <summary>
/// Writes an <see cref="SbomDocument"/> as CycloneDX 1.6 JSON: the image is <c>metadata.component</c>, packages are
/// components (the OS's packages nested in it), each package's files are <c>file</c> components nested in it (CycloneDX
/// expresses containment by nesting), and <c>dependencies</c> repeats the tree for tools that read only that. The
/// serial number is derived from the content, so the same image gives the same bytes.
/// </summary>
public static class CycloneDxWriter
{
    private static readonly JsonWriterOptions Options = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static byte[] Write(SbomDocument doc)
    {
        var body = Json(doc, "");
        var hash = SHA256.HashData(body);
        // A name-based UUID (RFC 9562 version 5 layout) from the content's hash.
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        var uuid = new Guid(hash.AsSpan(0, 16), bigEndian: true).ToString("D");
        return Json(doc, "urn:uuid:" + uuid);
    }

    private static byte[] Json(SbomDocument doc, string serial)
    {
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        var filesOf = doc.Files.ToLookup(f => f.PackageId ?? doc.Root.Id);
        var children = doc.Packages.Where(p => p.Parent != null).ToLookup(p => p.Parent!);
        using (var w = new Utf8JsonWriter(buffer, Options))
        {
            w.WriteStartObject();
            w.WriteString("$schema", "http://cyclonedx.org/schema/bom-1.6.schema.json");
            w.WriteString("bomFormat", "CycloneDX");
            w.WriteString("specVersion", "1.6");
            if (serial.Length > 0) w.WriteString("serialNumber", serial);
            w.WriteNumber("version", 1);
            w.WriteStartObject("metadata");
            w.WriteString("timestamp", OciJson.Rfc3339(doc.Created));
            w.WriteStartObject("tools");
            w.WriteStartArray("components");
            w.WriteStartObject();
            w.WriteString("type", "application");
            w.WriteString("name", "SlimImage");
            w.WriteString("version", doc.ToolVersion);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
            w.WritePropertyName("component");
            Component(w, doc.Root, [], [], withFiles: false);
            w.WriteEndObject();

            w.WriteStartArray("components");
            foreach (var p in doc.Packages.Where(p => p.Parent == null))
                Component(w, p, filesOf[p.Id], children[p.Id].Select(c => (c, filesOf[c.Id])), withFiles: true);
            foreach (var f in filesOf[doc.Root.Id]) File(w, f);
            w.WriteEndArray();

            w.WriteStartArray("dependencies");
            Dependency(w, doc.Root.Id, doc.Packages.Where(p => p.Parent == null).Select(p => p.Id));
            foreach (var parent in doc.Packages.Where(p => children[p.Id].Any()))
                Dependency(w, parent.Id, children[parent.Id].Select(c => c.Id));
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static void Component(Utf8JsonWriter w, SbomPackage p, IEnumerable<SbomFile> files,
        IEnumerable<(SbomPackage Package, IEnumerable<SbomFile> Files)> nested, bool withFiles)
    {
        w.WriteStartObject();
        w.WriteString("bom-ref", p.Id);
        w.WriteString("type", p.Kind switch
        {
            SbomPackageKind.Image or SbomPackageKind.BaseImage => "container",
            SbomPackageKind.Application => "application",
            SbomPackageKind.OperatingSystem => "operating-system",
            _ => "library",
        });
        w.WriteString("name", p.Name);
        if (p.Version != null) w.WriteString("version", p.Version);
        if (p.Sha256 != null)
        {
            w.WriteStartArray("hashes");
            Hash(w, "SHA-256", p.Sha256);
            w.WriteEndArray();
        }
        if (p.License != null)
        {
            w.WriteStartArray("licenses");
            w.WriteStartObject();
            w.WriteString("expression", p.License);
            w.WriteEndObject();
            w.WriteEndArray();
        }
        if (p.Purl != null) w.WriteString("purl", p.Purl);
        if (p.DownloadLocation != null)
        {
            w.WriteStartArray("externalReferences");
            w.WriteStartObject();
            w.WriteString("type", "vcs");
            w.WriteString("url", p.DownloadLocation.StartsWith("git+", StringComparison.Ordinal) ? p.DownloadLocation[4..] : p.DownloadLocation);
            w.WriteEndObject();
            w.WriteEndArray();
        }
        var fileList = files.ToList();
        var nestedList = nested.ToList();
        if (withFiles && (fileList.Count > 0 || nestedList.Count > 0))
        {
            w.WriteStartArray("components");
            foreach (var (package, packageFiles) in nestedList) Component(w, package, packageFiles, [], withFiles: true);
            foreach (var f in fileList) File(w, f);
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    private static void File(Utf8JsonWriter w, SbomFile f)
    {
        w.WriteStartObject();
        w.WriteString("bom-ref", f.Id);
        w.WriteString("type", "file");
        w.WriteString("name", f.Path);
        w.WriteStartArray("hashes");
        Hash(w, "SHA-1", f.Sha1);
        Hash(w, "SHA-256", f.Sha256);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void Hash(Utf8JsonWriter w, string alg, string content)
    {
        w.WriteStartObject();
        w.WriteString("alg", alg);
        w.WriteString("content", content);
        w.WriteEndObject();
    }

    private static void Dependency(Utf8JsonWriter w, string id, IEnumerable<string> dependsOn)
    {
        w.WriteStartObject();
        w.WriteString("ref", id);
        w.WriteStartArray("dependsOn");
        foreach (var d in dependsOn) w.WriteStringValue(d);
        w.WriteEndArray();
        w.WriteEndObject();
    }
}
