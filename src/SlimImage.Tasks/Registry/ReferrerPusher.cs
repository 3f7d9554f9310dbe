using System.Text.Json;
using SlimImage.Diagnostics;
using SlimImage.Image;
using SlimImage.Oci;

namespace SlimImage.Registry;

/// <summary>
/// Pushes an artifact that refers to a pushed image (its SBOM) so that the image's referrers list it: the blobs, then
/// the artifact manifest by digest. A registry with the referrers API says so with <c>OCI-Subject</c>; for one without
/// (Debian's docker-registry 2.8), the distribution-spec's tag schema is kept by hand: the index tagged
/// <c>sha256-&lt;hex of the subject&gt;</c> gets the artifact's descriptor. Nothing is sent that is already there.
/// </summary>
internal static class ReferrerPusher
{
    public static async Task PushAsync(RegistryClient client, string repository, Descriptor subject, Referrer referrer,
        Func<string, Descriptor, Func<Stream>, Task> pushBlob, Action<SlimDiagnostic> report, CancellationToken ct)
    {
        List<string> scopes = [RegistryRequest.PushScope(repository)];
        var manifest = referrer.Manifest;
        var target = $"{client.Registry}/{repository}";
        var present = await client.ManifestDigestAsync(repository, manifest.Digest.ToString(), scopes, ct).ConfigureAwait(false) != null;
        bool listed;
        if (!present)
        {
            await pushBlob("SBOM config", Referrer.EmptyConfig, () => new MemoryStream(Referrer.EmptyJson.ToArray(), writable: false)).ConfigureAwait(false);
            await pushBlob("SBOM", referrer.BlobDescriptor, () => new MemoryStream(referrer.Blob.ToArray(), writable: false)).ConfigureAwait(false);
            listed = await client.PutManifestWithSubjectAsync(repository, manifest.Digest.ToString(), referrer.ManifestBytes, manifest.MediaType, ct)
                .ConfigureAwait(false);
        }
        else
            listed = await client.ReferrersAsync(repository, subject.Digest, ct).ConfigureAwait(false) is { } index && Lists(index, manifest.Digest);
        if (listed)
        {
            report(SlimDiagnostic.Info("SLIM5106", manifest.Digest, subject.Digest,
                present ? $"already listed by the referrers API of {target}" : $"pushed to {target}, listed by its referrers API"));
            return;
        }

        var tag = "sha256-" + subject.Digest.Hex;
        var current = await client.TryGetManifestAsync(repository, tag, ct).ConfigureAwait(false);
        if (current != null && Lists(current.Bytes, manifest.Digest))
        {
            report(SlimDiagnostic.Info("SLIM5106", manifest.Digest, subject.Digest, $"already in the referrers tag {target}:{tag}"));
            return;
        }
        var updated = WithEntry(current?.Bytes, referrer);
        await client.PutManifestAsync(repository, tag, updated, MediaTypes.Index, ct).ConfigureAwait(false);
        report(SlimDiagnostic.Info("SLIM5106", manifest.Digest, subject.Digest,
            $"pushed to {target}; the registry has no referrers API, so it is listed in the referrers tag {target}:{tag}"));
    }

    private static bool Lists(byte[] index, Digest digest)
    {
        try
        {
            using var doc = JsonDocument.Parse(index);
            return doc.RootElement.TryGetProperty("manifests", out var m) && m.ValueKind == JsonValueKind.Array
                && m.EnumerateArray().Any(d => d.TryGetProperty("digest", out var x) && x.GetString() == digest.ToString());
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>The fallback index with the referrer's entry added; the entries already there (other tools' referrers) are kept as they are.</summary>
    private static byte[] WithEntry(byte[]? existing, Referrer referrer)
    {
        var kept = new List<JsonElement>();
        if (existing != null)
        {
            try
            {
                using var doc = JsonDocument.Parse(existing);
                if (doc.RootElement.TryGetProperty("manifests", out var m) && m.ValueKind == JsonValueKind.Array)
                    kept.AddRange(m.EnumerateArray().Select(e => e.Clone()));
            }
            catch (JsonException)
            {
                // Not an index: the tag is the schema's, so it is replaced by one that is.
            }
        }
        return OciJson.Write(w =>
        {
            w.WriteStartObject();
            w.WriteNumber("schemaVersion", 2);
            w.WriteString("mediaType", MediaTypes.Index);
            w.WriteStartArray("manifests");
            foreach (var e in kept) e.WriteTo(w);
            referrer.WriteIndexEntry(w);
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }
}
