using System.Diagnostics;
using System.Globalization;
using SlimImage.Diagnostics;
using SlimImage.Oci;

namespace SlimImage.Registry;

/// <summary>A tag now pointing to the pushed manifest.</summary>
/// <param name="Reference"><c>registry/repository:tag</c>.</param>
/// <param name="Tag">The tag alone.</param>
/// <param name="ManifestDigest">What the tag now points to.</param>
public sealed record PushedTag(string Reference, string Tag, Digest ManifestDigest)
{
    /// <summary><c>registry/repository@sha256:…</c>: what signing and deployment steps should use.</summary>
    public string DigestReference => Reference[..Reference.LastIndexOf(':')] + "@" + ManifestDigest;
}

/// <summary>What a push did.</summary>
public sealed record PushResult(string Registry, string Repository, Digest ManifestDigest, IReadOnlyList<PushedTag> Tags,
    int Uploaded, int Mounted, int Existing, long BytesUploaded);

/// <summary>
/// Pushes a built image: every blob is checked with HEAD and only the missing ones are sent (mounted from another
/// repository of the registry when one is known to hold it), then the manifest is put once per tag. Manifests go
/// last, so a push that fails half-way leaves every tag where it was: the registry refuses a manifest whose blobs
/// are missing, and no manifest is sent before all of them are there.
/// </summary>
public static class ImagePusher
{
    public static PushResult Push(BuiltImage image, string registry, string repository, IReadOnlyList<string> tags,
        RegistrySettings settings, Action<SlimDiagnostic> report, CancellationToken ct) =>
        PushAsync(image, registry, repository, tags, settings, report, ct).GetAwaiter().GetResult();

    public static async Task<PushResult> PushAsync(BuiltImage image, string registry, string repository, IReadOnlyList<string> tags,
        RegistrySettings settings, Action<SlimDiagnostic> report, CancellationToken ct)
    {
        using var client = new RegistryClient(registry, settings, "push");
        var journal = new BlobJournal(settings.CacheDirectory, registry);
        List<string> scopes = [RegistryRequest.PushScope(repository)];
        var layers = image.Layers.DistinctBy(l => l.Digest.ToString()).ToList();
        var blobs = new List<(string What, Descriptor Descriptor, Func<Stream> Open)>
        {
            ("config", image.Config, () => new MemoryStream(image.ConfigBytes.ToArray(), writable: false)),
        };
        blobs.AddRange(layers.Select((l, i) => ($"layer {i + 1}/{layers.Count}", l.Descriptor,
            (Func<Stream>)(() => new FileStream(l.BlobPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true)))));

        client.Transport.AllowFor(blobs.Sum(b => b.Descriptor.Size) + image.Referrers.Sum(r => r.Blob.Length + r.ManifestBytes.Length));
        int uploaded = 0, mounted = 0, existing = 0;
        long bytes = 0;
        foreach (var (what, blob, open) in blobs)
        {
            ct.ThrowIfCancellationRequested();
            var status = await PushBlobAsync(client, journal, repository, what, blob, open, scopes, report, ct).ConfigureAwait(false);
            switch (status)
            {
                case BlobStatus.Existing: existing++; break;
                case BlobStatus.Mounted: mounted++; break;
                default: uploaded++; bytes += blob.Size; break;
            }
            journal.Record(blob.Digest, repository);
        }

        var manifest = image.Manifest;
        var pushed = new List<PushedTag>();
        // Without tags (one platform of an index) the manifest goes up by its digest: the index's tags move later.
        var references = tags.Count == 0 ? [manifest.Digest.ToString()] : tags.Distinct(StringComparer.Ordinal).ToList();
        foreach (var reference in references)
        {
            var current = await client.ManifestDigestAsync(repository, reference, scopes, ct).ConfigureAwait(false);
            if (current != manifest.Digest)
                await client.PutManifestAsync(repository, reference, image.ManifestBytes, manifest.MediaType, ct).ConfigureAwait(false);
            if (tags.Count > 0) pushed.Add(new PushedTag($"{registry}/{repository}:{reference}", reference, manifest.Digest));
        }
        // After the tags, so that a referrer never names a subject the registry lacks.
        foreach (var referrer in image.Referrers)
            await ReferrerPusher.PushAsync(client, repository, manifest, referrer, async (what, blob, open) =>
            {
                if (await PushBlobAsync(client, journal, repository, what, blob, open, scopes, report, ct).ConfigureAwait(false) == BlobStatus.Uploaded)
                {
                    uploaded++;
                    bytes += blob.Size;
                }
                journal.Record(blob.Digest, repository);
            }, report, ct).ConfigureAwait(false);
        report(SlimDiagnostic.Info("SLIM4103", $"{registry}/{repository}", uploaded, ByteSize.Format(bytes), mounted, existing));
        foreach (var tag in pushed)
            report(SlimDiagnostic.Info("SLIM4101", tag.Reference, tag.DigestReference));
        return new PushResult(registry, repository, manifest.Digest, pushed, uploaded, mounted, existing, bytes);
    }

    private enum BlobStatus { Existing, Mounted, Uploaded }

    private static async Task<BlobStatus> PushBlobAsync(RegistryClient client, BlobJournal journal, string repository, string what,
        Descriptor blob, Func<Stream> open, IReadOnlyList<string> scopes, Action<SlimDiagnostic> report, CancellationToken ct)
    {
        var label = $"{what} {blob.Digest} ({ByteSize.Format(blob.Size)})";
        if (await client.BlobExistsAsync(repository, blob, scopes, ct).ConfigureAwait(false))
        {
            report(SlimDiagnostic.Detail("SLIM4102", label, "already in the repository"));
            return BlobStatus.Existing;
        }
        Uri? session = null;
        if (journal.RepositoriesWith(blob.Digest, repository).FirstOrDefault() is { } from)
        {
            session = await client.StartUploadAsync(repository, blob, from, ct).ConfigureAwait(false);
            if (session == null)
            {
                report(SlimDiagnostic.Detail("SLIM4102", label, $"mounted from '{from}'"));
                return BlobStatus.Mounted;
            }
            // The registry could not mount it (the blob is gone, or no access to 'from') and opened an upload session.
        }

        var progress = new Progress(client.Registry + "/" + repository, what, blob, client.Transport.Options, report);
        await client.Transport.RetryWholeAsync(repository, async () =>
        {
            var location = session ?? await client.StartUploadAsync(repository, blob, null, ct).ConfigureAwait(false)
                ?? throw new InvalidOperationException("An upload without mount cannot be mounted.");
            session = null; // a session that failed once is not used again
            progress.Restart();
            await client.UploadAsync(repository, location, blob, open, what, progress.Sent, ct).ConfigureAwait(false);
            return true;
        }, ct).ConfigureAwait(false);
        progress.Done();
        report(SlimDiagnostic.Detail("SLIM4102", label, $"uploaded in {progress.Elapsed}"));
        return BlobStatus.Uploaded;
    }

    /// <summary>Progress lines for large blobs: which blob, bytes sent, rate; at most one per interval.</summary>
    private sealed class Progress(string target, string what, Descriptor blob, RegistryOptions options, Action<SlimDiagnostic> report)
    {
        private readonly Stopwatch _clock = new();
        private TimeSpan _last;
        private long _sent;

        public string Elapsed => _clock.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";

        public void Restart()
        {
            _clock.Restart();
            _last = TimeSpan.Zero;
            _sent = 0;
        }

        public void Sent(long total)
        {
            _sent = total;
            if (blob.Size < options.ProgressThreshold || _clock.Elapsed - _last < options.ProgressInterval) return;
            _last = _clock.Elapsed;
            Line();
        }

        public void Done()
        {
            _sent = blob.Size;
            if (blob.Size >= options.ProgressThreshold) Line();
        }

        private void Line()
        {
            var seconds = Math.Max(_clock.Elapsed.TotalSeconds, 0.001);
            report(SlimDiagnostic.Detail("SLIM4100", what, blob.Digest, target, ByteSize.Format(_sent), ByteSize.Format(blob.Size),
                (100 * _sent / Math.Max(blob.Size, 1)).ToString(CultureInfo.InvariantCulture), ByteSize.Format((long)(_sent / seconds))));
        }
    }
}
