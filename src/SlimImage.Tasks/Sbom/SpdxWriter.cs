using System.Buffers;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using SlimImage.Image;
using SlimImage.Oci;

namespace SlimImage.Sbom;

/// <summary>
/// Writes an <see cref="SbomDocument"/> as SPDX 2.3 JSON (spdx-spec v2.3, schemas/spdx-schema.json). Every value comes
/// from the document, so the same image gives the same bytes: <c>created</c> is SOURCE_DATE_EPOCH, the ids are
/// derived from names, and the <c>documentNamespace</c> (which must be unique per document) is a hash of the
/// document's own content rather than a random UUID.
/// </summary>
public static class SpdxWriter
{
    private const string NoAssertion = "NOASSERTION";
    private static readonly JsonWriterOptions Options = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static byte[] Write(SbomDocument doc)
    {
        // The namespace names this content: hashed over the document written without it.
        var body = Json(doc, "");
        var ns = $"https://spdx.org/spdxdocs/slimimage/{Safe(doc.Root.Name)}-{Convert.ToHexString(SHA256.HashData(body)).ToLowerInvariant()}";
        return Json(doc, ns);
    }

    private static byte[] Json(SbomDocument doc, string ns)
    {
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        using (var w = new Utf8JsonWriter(buffer, Options))
        {
            w.WriteStartObject();
            w.WriteString("spdxVersion", "SPDX-2.3");
            w.WriteString("dataLicense", "CC0-1.0");
            w.WriteString("SPDXID", "SPDXRef-DOCUMENT");
            w.WriteString("name", doc.Name);
            w.WriteString("documentNamespace", ns);
            w.WriteStartObject("creationInfo");
            w.WriteString("created", OciJson.Rfc3339(doc.Created));
            w.WriteStartArray("creators");
            w.WriteStringValue("Tool: SlimImage-" + doc.ToolVersion);
            w.WriteEndArray();
            w.WriteEndObject();

            w.WriteStartArray("packages");
            foreach (var p in doc.Packages.Prepend(doc.Root)) Package(w, p);
            w.WriteEndArray();

            w.WriteStartArray("files");
            foreach (var f in doc.Files)
            {
                w.WriteStartObject();
                w.WriteString("fileName", "." + f.Path);
                w.WriteString("SPDXID", f.Id);
                w.WriteStartArray("checksums");
                Checksum(w, "SHA1", f.Sha1);
                Checksum(w, "SHA256", f.Sha256);
                w.WriteEndArray();
                w.WriteString("licenseConcluded", NoAssertion);
                w.WriteString("copyrightText", NoAssertion);
                w.WriteEndObject();
            }
            w.WriteEndArray();

            if (doc.Licenses.Count > 0)
            {
                w.WriteStartArray("hasExtractedLicensingInfos");
                foreach (var l in doc.Licenses)
                {
                    w.WriteStartObject();
                    w.WriteString("licenseId", l.Id);
                    w.WriteString("name", l.Name);
                    w.WriteString("extractedText", l.Text);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }

            w.WriteStartArray("relationships");
            Relationship(w, "SPDXRef-DOCUMENT", "DESCRIBES", doc.Root.Id);
            foreach (var p in doc.Packages)
                Relationship(w, p.Parent ?? doc.Root.Id, "CONTAINS", p.Id);
            foreach (var f in doc.Files)
                Relationship(w, f.PackageId ?? doc.Root.Id, "CONTAINS", f.Id);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static void Package(Utf8JsonWriter w, SbomPackage p)
    {
        w.WriteStartObject();
        w.WriteString("name", p.Name);
        w.WriteString("SPDXID", p.Id);
        if (p.Version != null) w.WriteString("versionInfo", p.Version);
        w.WriteString("supplier", NoAssertion);
        w.WriteString("downloadLocation", p.DownloadLocation ?? NoAssertion);
        // The files are listed and related with CONTAINS, but no package verification code is computed.
        w.WriteBoolean("filesAnalyzed", false);
        if (p.Sha256 != null)
        {
            w.WriteStartArray("checksums");
            Checksum(w, "SHA256", p.Sha256);
            w.WriteEndArray();
        }
        if (p.SourceInfo != null) w.WriteString("sourceInfo", p.SourceInfo);
        w.WriteString("licenseConcluded", NoAssertion);
        w.WriteString("licenseDeclared", p.License ?? NoAssertion);
        w.WriteString("copyrightText", NoAssertion);
        if (p.Purl != null)
        {
            w.WriteStartArray("externalRefs");
            w.WriteStartObject();
            w.WriteString("referenceCategory", "PACKAGE-MANAGER");
            w.WriteString("referenceType", "purl");
            w.WriteString("referenceLocator", p.Purl);
            w.WriteEndObject();
            w.WriteEndArray();
        }
        w.WriteString("primaryPackagePurpose", p.Kind switch
        {
            SbomPackageKind.Image or SbomPackageKind.BaseImage => "CONTAINER",
            SbomPackageKind.Application => "APPLICATION",
            SbomPackageKind.OperatingSystem => "OPERATING-SYSTEM",
            _ => "LIBRARY",
        });
        w.WriteEndObject();
    }

    private static void Checksum(Utf8JsonWriter w, string algorithm, string value)
    {
        w.WriteStartObject();
        w.WriteString("algorithm", algorithm);
        w.WriteString("checksumValue", value);
        w.WriteEndObject();
    }

    private static void Relationship(Utf8JsonWriter w, string element, string type, string related)
    {
        w.WriteStartObject();
        w.WriteString("spdxElementId", element);
        w.WriteString("relationshipType", type);
        w.WriteString("relatedSpdxElement", related);
        w.WriteEndObject();
    }

    private static string Safe(string name) => new(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '-').ToArray());
}
