using System.Net;
using System.Net.Http.Headers;
using SlimImage.Diagnostics;
using SlimImage.Oci;

namespace SlimImage.Registry;

/// <summary>A manifest or index as a registry served it.</summary>
public sealed record FetchedManifest(byte[] Bytes, string MediaType, Digest Digest);

/// <summary>
/// The OCI distribution API calls SlimImage needs (opencontainers/distribution-spec spec.md): blob HEAD, upload
/// (POST, then one PUT, or PATCH chunks and a closing PUT), cross-repository mount, manifest HEAD/GET/PUT, blob GET.
/// </summary>
internal sealed partial class RegistryClient : IDisposable
{
    /// <summary>What a manifest GET accepts: OCI and docker schema 2, single images and indexes.</summary>
    public static readonly string[] ManifestTypes =
    [
        MediaTypes.Index, MediaTypes.Manifest,
        MediaTypes.DockerManifestList, MediaTypes.DockerManifest,
    ];

    /// <summary>A client for one pull or one push (<paramref name="operation"/>: "pull" or "push", for SLIM4019).</summary>
    public RegistryClient(string registry, RegistrySettings settings, string operation) =>
        Transport = new RegistryTransport(registry, settings, operation);

    public RegistryTransport Transport { get; }

    public string Registry => Transport.Registry;

    public Task<bool> BlobExistsAsync(string repository, Descriptor blob, IReadOnlyList<string> scopes, CancellationToken ct)
    {
        var request = new RegistryRequest(repository, $"checking for blob {blob.Digest} in", scopes,
            () => new HttpRequestMessage(HttpMethod.Head, $"v2/{repository}/blobs/{blob.Digest}"));
        return Transport.SendAsync(request, async (r, c) => r.StatusCode switch
        {
            HttpStatusCode.OK => true,
            HttpStatusCode.NotFound => false,
            _ => throw await Transport.FailAsync(r, request, c).ConfigureAwait(false),
        }, ct);
    }

    /// <summary>
    /// POST to the upload endpoint, with <c>mount</c>/<c>from</c> when <paramref name="mountFrom"/> is given.
    /// Returns null when the registry mounted the blob (201), else the upload session's location (202).
    /// </summary>
    public Task<Uri?> StartUploadAsync(string repository, Descriptor blob, string? mountFrom, CancellationToken ct)
    {
        var query = mountFrom == null ? "" : $"?mount={Uri.EscapeDataString(blob.Digest.ToString())}&from={Uri.EscapeDataString(mountFrom)}";
        List<string> scopes = [RegistryRequest.PushScope(repository)];
        if (mountFrom != null) scopes.Add(RegistryRequest.PullScope(mountFrom));
        var doing = mountFrom == null ? $"starting the upload of {blob.Digest} to" : $"mounting {blob.Digest} from '{mountFrom}' into";
        var request = new RegistryRequest(repository, doing, scopes,
            () => new HttpRequestMessage(HttpMethod.Post, $"v2/{repository}/blobs/uploads/{query}") { Content = new ByteArrayContent([]) });
        return Transport.SendAsync(request, async (r, c) =>
        {
            if (r.StatusCode == HttpStatusCode.Created && mountFrom != null) return null;
            if (r.StatusCode == HttpStatusCode.Accepted && r.Headers.Location is { } location) return Absolute(location);
            throw await Transport.FailAsync(r, request, c).ConfigureAwait(false);
        }, ct);
    }

    /// <summary>
    /// Sends the blob into the upload session at <paramref name="location"/>: one PUT when it is small, else
    /// PATCH chunks with Content-Range and a closing PUT. The registry checks the digest on the PUT. Requests here
    /// are not retried alone (<see cref="TransientRegistryException"/>): the caller starts the blob again.
    /// </summary>
    public async Task UploadAsync(string repository, Uri location, Descriptor blob, Func<Stream> open, string what,
        Action<long>? sent, CancellationToken ct)
    {
        var options = Transport.Options;
        var doing = $"uploading {what} {blob.Digest} ({ByteSize.Format(blob.Size)}) to";
        List<string> scopes = [RegistryRequest.PushScope(repository)];
        if (blob.Size > options.MonolithicLimit)
        {
            for (long offset = 0; offset < blob.Size; offset += options.ChunkSize)
            {
                var start = offset;
                var length = Math.Min(options.ChunkSize, blob.Size - offset);
                var at = location;
                var patch = new RegistryRequest(repository, doing, scopes, () =>
                {
                    var m = new HttpRequestMessage(HttpMethod.Patch, at) { Content = new BlobContent(open, start, length, n => sent?.Invoke(start + n)) };
                    // distribution-spec "Pushing a blob in chunks": Content-Range is "<start>-<end>", inclusive, no unit.
                    m.Content.Headers.TryAddWithoutValidation("Content-Range", $"{start}-{start + length - 1}");
                    return m;
                }) { Retry = false, Bytes = length };
                location = await Transport.SendAsync(patch, async (r, c) =>
                    r.StatusCode == HttpStatusCode.Accepted && r.Headers.Location is { } next
                        ? Absolute(next)
                        : throw await Transport.FailAsync(r, patch, c).ConfigureAwait(false), ct).ConfigureAwait(false);
            }
        }
        var monolithic = blob.Size <= options.MonolithicLimit;
        var closing = WithQuery(location, "digest=" + Uri.EscapeDataString(blob.Digest.ToString()));
        var put = new RegistryRequest(repository, doing, scopes, () => new HttpRequestMessage(HttpMethod.Put, closing)
        {
            Content = monolithic ? new BlobContent(open, 0, blob.Size, sent) : new ByteArrayContent([]),
        }) { Retry = false, Bytes = monolithic ? blob.Size : 0 };
        await Transport.SendAsync(put, async (r, c) =>
            r.StatusCode is HttpStatusCode.Created or HttpStatusCode.NoContent or HttpStatusCode.OK
                ? true
                : throw await Transport.FailAsync(r, put, c).ConfigureAwait(false), ct).ConfigureAwait(false);
    }

    /// <summary>The digest a tag points to now, or null when the tag does not exist.</summary>
    public Task<Digest?> ManifestDigestAsync(string repository, string reference, IReadOnlyList<string> scopes, CancellationToken ct)
    {
        var request = new RegistryRequest(repository, $"looking up '{reference}' in", scopes, () =>
        {
            var m = new HttpRequestMessage(HttpMethod.Head, $"v2/{repository}/manifests/{reference}");
            foreach (var t in ManifestTypes) m.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(t));
            return m;
        });
        return Transport.SendAsync<Digest?>(request, async (r, c) =>
        {
            if (r.StatusCode == HttpStatusCode.NotFound) return null;
            if (r.StatusCode != HttpStatusCode.OK) throw await Transport.FailAsync(r, request, c).ConfigureAwait(false);
            if (!r.Headers.TryGetValues("Docker-Content-Digest", out var values) || values.FirstOrDefault() is not { } d) return null;
            return Digest.TryParse(d, out var digest) ? digest
                : throw new SlimException("SLIM4017", Registry, repository, $"the Docker-Content-Digest header of the manifest '{reference}'", InvalidDigestException.Shorten(d));
        }, ct);
    }

    public Task PutManifestAsync(string repository, string reference, ReadOnlyMemory<byte> bytes, string mediaType, CancellationToken ct)
    {
        var request = new RegistryRequest(repository, $"writing the manifest for '{reference}' to", [RegistryRequest.PushScope(repository)], () =>
        {
            var content = new ReadOnlyMemoryContent(bytes);
            content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
            return new HttpRequestMessage(HttpMethod.Put, $"v2/{repository}/manifests/{reference}") { Content = content };
        });
        return Transport.SendAsync(request, async (r, c) =>
            r.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK
                ? true
                : throw await Transport.FailAsync(r, request, c).ConfigureAwait(false), ct);
    }

    /// <summary>GET a manifest or index; when <paramref name="reference"/> is a digest, the bytes must have it (SLIM4009).</summary>
    public Task<FetchedManifest> GetManifestAsync(string repository, string reference, CancellationToken ct)
    {
        var request = new RegistryRequest(repository, $"reading the manifest '{reference}' of", [RegistryRequest.PullScope(repository)], () =>
        {
            var m = new HttpRequestMessage(HttpMethod.Get, $"v2/{repository}/manifests/{reference}");
            foreach (var t in ManifestTypes) m.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(t));
            return m;
        }) { Bytes = 4 << 20 };
        return Transport.SendAsync(request, async (r, c) =>
        {
            if (r.StatusCode != HttpStatusCode.OK) throw await Transport.FailAsync(r, request, c).ConfigureAwait(false);
            var bytes = await Transport.ReadDocumentAsync(r, request, "a manifest", c).ConfigureAwait(false);
            var digest = Digest.Of(bytes);
            if (reference.Contains(':') && reference != digest.ToString())
                throw new SlimException("SLIM4009", $"{Registry}/{repository}", $"the manifest '{reference}'", reference, digest);
            if (r.Headers.TryGetValues("Docker-Content-Digest", out var said) && said.FirstOrDefault() is { } s && s != digest.ToString())
                throw new SlimException("SLIM4009", $"{Registry}/{repository}", $"the manifest '{reference}' (Docker-Content-Digest)", s, digest);
            return new FetchedManifest(bytes, r.Content.Headers.ContentType?.MediaType ?? "", digest);
        }, ct);
    }

    /// <summary>
    /// GET a blob into <paramref name="write"/> (called again from the start if a try fails half-way). A body that
    /// announces another size than the descriptor's is refused before it is read (SLIM4009); <paramref name="write"/>
    /// must still stop reading past the size, since a body need not announce one.
    /// </summary>
    public Task DownloadBlobAsync(string repository, Descriptor blob, Func<Stream, CancellationToken, Task> write, CancellationToken ct)
    {
        var request = new RegistryRequest(repository, $"downloading {blob.Digest} ({ByteSize.Format(blob.Size)}) from",
            [RegistryRequest.PullScope(repository)], () => new HttpRequestMessage(HttpMethod.Get, $"v2/{repository}/blobs/{blob.Digest}"))
        { Bytes = blob.Size };
        return Transport.SendAsync(request, async (r, c) =>
        {
            if (r.StatusCode != HttpStatusCode.OK) throw await Transport.FailAsync(r, request, c).ConfigureAwait(false);
            if (r.Content.Headers.ContentLength is { } announced && announced != blob.Size)
                throw new SlimException("SLIM4009", $"{Registry}/{repository}", $"the blob {blob.Digest}", $"{blob.Size} bytes", $"{announced} bytes (Content-Length)");
            await using var body = await r.Content.ReadAsStreamAsync(c).ConfigureAwait(false);
            await write(body, c).ConfigureAwait(false);
            return true;
        }, ct);
    }

    private Uri Absolute(Uri location) => location.IsAbsoluteUri ? location : new Uri(Transport.BaseUri, location);

    private static Uri WithQuery(Uri uri, string parameter) =>
        new(uri.AbsoluteUri + (string.IsNullOrEmpty(uri.Query) ? "?" : "&") + parameter);


    public void Dispose() => Transport.Dispose();
}
