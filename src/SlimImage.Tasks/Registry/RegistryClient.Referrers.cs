using System.Net;
using System.Net.Http.Headers;
using SlimImage.Image;
using SlimImage.Oci;

namespace SlimImage.Registry;

/// <summary>The referrers calls of distribution-spec 1.1: the referrers API, and what its tag fallback needs.</summary>
internal sealed partial class RegistryClient
{
    /// <summary>
    /// PUT a manifest by digest or tag; true when the registry answered with <c>OCI-Subject</c>, which says it processed
    /// the manifest's subject and lists it under the referrers API (distribution-spec "Pushing Manifests with Subject").
    /// </summary>
    public Task<bool> PutManifestWithSubjectAsync(string repository, string reference, ReadOnlyMemory<byte> bytes, string mediaType, CancellationToken ct)
    {
        var request = new RegistryRequest(repository, $"writing the manifest '{reference}' to", [RegistryRequest.PushScope(repository)], () =>
        {
            var content = new ReadOnlyMemoryContent(bytes);
            content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
            return new HttpRequestMessage(HttpMethod.Put, $"v2/{repository}/manifests/{reference}") { Content = content };
        });
        return Transport.SendAsync(request, async (r, c) =>
            r.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK
                ? r.Headers.Contains("OCI-Subject")
                : throw await Transport.FailAsync(r, request, c).ConfigureAwait(false), ct);
    }

    /// <summary>The manifest or index <paramref name="reference"/> names, or null when there is none (404).</summary>
    public async Task<FetchedManifest?> TryGetManifestAsync(string repository, string reference, CancellationToken ct)
    {
        var exists = await ManifestDigestAsync(repository, reference, [RegistryRequest.PushScope(repository)], ct).ConfigureAwait(false);
        return exists == null ? null : await GetManifestAsync(repository, reference, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// GET <c>/v2/&lt;name&gt;/referrers/&lt;digest&gt;</c>: the index of the subject's referrers, or null when the registry has
    /// no referrers API (404: distribution-spec says a client then falls back to the tag schema).
    /// </summary>
    public Task<byte[]?> ReferrersAsync(string repository, Digest subject, CancellationToken ct)
    {
        var request = new RegistryRequest(repository, $"listing the referrers of {subject} in", [RegistryRequest.PullScope(repository)], () =>
        {
            var m = new HttpRequestMessage(HttpMethod.Get, $"v2/{repository}/referrers/{subject}");
            m.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(MediaTypes.Index));
            return m;
        }) { Bytes = 4 << 20 };
        return Transport.SendAsync<byte[]?>(request, async (r, c) =>
        {
            if (r.StatusCode == HttpStatusCode.NotFound) return null;
            if (r.StatusCode != HttpStatusCode.OK) throw await Transport.FailAsync(r, request, c).ConfigureAwait(false);
            // A registry without the API may answer an unknown route with some other document: only an index counts.
            if (r.Content.Headers.ContentType?.MediaType != MediaTypes.Index) return null;
            return await Transport.ReadDocumentAsync(r, request, "a referrers index", c).ConfigureAwait(false);
        }, ct);
    }
}
