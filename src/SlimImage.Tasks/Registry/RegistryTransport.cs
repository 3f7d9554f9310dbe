using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using SlimImage.Diagnostics;
using SlimImage.Registry.Credentials;

namespace SlimImage.Registry;

/// <summary>
/// HTTP to one registry: authentication (anonymous, Basic, or the bearer token flow of distribution's
/// docs/spec/auth/token.md, learnt from the first 401), bounded retries with backoff on 5xx, 429 and dropped
/// connections, and every failure turned into a SLIM4xxx error naming the registry and repository.
/// Secrets go only into Authorization headers, never into messages. Everything is bounded: a request (body
/// included) by its timeout, which is not tried again; the whole pull or push by <see cref="RegistryDeadline"/>;
/// manifests, tokens and error bodies by <see cref="RegistryOptions.MaxDocumentSize"/>.
/// </summary>
internal sealed partial class RegistryTransport : IDisposable
{
    private readonly HttpClient _http;
    private readonly RegistrySettings _settings;
    private readonly Dictionary<string, string> _tokens = new(StringComparer.Ordinal);
    private readonly Random _jitter = new();
    private readonly RegistryDeadline _deadline;
    private AuthChallenge? _challenge;
    private RegistryCredential? _credential;
    private bool _credentialRead;

    /// <summary>The transport of one pull or one push (<paramref name="operation"/>: "pull" or "push", for SLIM4019).</summary>
    public RegistryTransport(string registry, RegistrySettings settings, string operation)
    {
        Registry = registry;
        _settings = settings;
        Operation = operation;
        _deadline = new RegistryDeadline(settings.Options);
        BaseUri = RegistryHost.BaseUri(registry, settings.InsecureRegistries);
        var handler = settings.Handler ?? new SocketsHttpHandler
        {
            ConnectTimeout = settings.Options.ConnectTimeout,
            AllowAutoRedirect = true, // blob GETs are often redirected to storage; .NET drops Authorization on the way
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
        _http = new HttpClient(handler, disposeHandler: settings.Handler == null) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("SlimImage", typeof(RegistryTransport).Assembly.GetName().Version?.ToString(3) ?? "0"));
    }

    /// <summary>host[:port] as the user wrote it.</summary>
    public string Registry { get; }

    public Uri BaseUri { get; }

    public RegistryOptions Options => _settings.Options;

    public string Operation { get; }

    /// <summary>Gives the pull or push the time to move <paramref name="bytes"/> more of blobs.</summary>
    public void AllowFor(long bytes) => _deadline.AllowFor(bytes);

    private RegistryCredential? Credential
    {
        get
        {
            if (!_credentialRead)
            {
                _credential = _settings.Credentials.Find(Registry);
                _credentialRead = true;
            }
            return _credential;
        }
    }

    /// <summary>"'bob' from SLIMIMAGE_REGISTRY_USER/…" or "none, anonymous": for messages, never the secret.</summary>
    public string CredentialDescription => Credential is { } c
        ? $"{(c.IsIdentityToken ? "an identity token" : "'" + c.UserName + "'")} from {c.Source}"
        : "none were found, so the request was anonymous";

    /// <summary>
    /// Sends <paramref name="request"/> until it gets an answer that is not transient, and passes that answer to
    /// <paramref name="onResponse"/> (still inside the timeout and the retries: a connection dropped while reading
    /// the body is tried again). A timeout is not tried again: a request that stalls costs one timeout, not
    /// <see cref="RegistryOptions.MaxAttempts"/> of them.
    /// </summary>
    public async Task<T> SendAsync<T>(RegistryRequest request, Func<HttpResponseMessage, CancellationToken, Task<T>> onResponse, CancellationToken ct)
    {
        var attempt = 0;
        var reauthenticated = false;
        while (true)
        {
            attempt++;
            Func<int, SlimException> failure;
            Exception? cause = null;
            TimeSpan? retryAfter = null;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct, _deadline.Token))
            {
                timeout.CancelAfter(_settings.Options.TimeoutFor(request.Bytes));
                HttpResponseMessage? response = null;
                try
                {
                    var message = request.Create();
                    if (!message.RequestUri!.IsAbsoluteUri) message.RequestUri = new Uri(BaseUri, message.RequestUri);
                    await AuthorizeAsync(message, request, timeout.Token).ConfigureAwait(false);
                    response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
                    if (response.StatusCode == HttpStatusCode.Unauthorized && !reauthenticated
                        && await LearnChallengeAsync(response, request, message, timeout.Token).ConfigureAwait(false))
                    {
                        reauthenticated = true;
                        attempt--;
                        continue;
                    }
                    if (!IsTransient(response.StatusCode))
                        return await onResponse(response, timeout.Token).ConfigureAwait(false);
                    var (status, detail) = ((int)response.StatusCode, await ErrorText(response, request, timeout.Token).ConfigureAwait(false));
                    retryAfter = response.Headers.RetryAfter?.Delta;
                    failure = n => new SlimException("SLIM4006", Registry, request.Repository, request.Doing, status, n, detail);
                }
                catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
                {
                    if (_deadline.Passed) throw DeadlinePassed(e, request.Repository);
                    throw new SlimException(e, "SLIM4005", Registry, BaseUri, request.Doing, request.Repository,
                        Seconds(_settings.Options.TimeoutFor(request.Bytes)), attempt);
                }
                catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.NameResolutionError)
                {
                    throw new SlimException(e, "SLIM4004", Registry, BaseUri, request.Doing, request.Repository,
                        $"the host name '{RegistryHost.Name(Registry)}' does not resolve", attempt);
                }
                catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.SecureConnectionError)
                {
                    throw new SlimException(e, "SLIM4008", Registry, BaseUri, request.Repository, Reason(e));
                }
                catch (Exception e) when (e is HttpRequestException or IOException)
                {
                    failure = n => new SlimException(e, "SLIM4004", Registry, BaseUri, request.Doing, request.Repository, Reason(e), n);
                    cause = e;
                }
                finally
                {
                    response?.Dispose();
                }
            }
            if (!request.Retry) throw new TransientRegistryException(failure, cause);
            if (attempt >= _settings.Options.MaxAttempts) throw failure(attempt);
            await DelayAsync(RetryDelay(attempt, retryAfter), request.Repository, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs <paramref name="operation"/> (requests with <see cref="RegistryRequest.Retry"/> false) again from its
    /// start after a transient failure, as many times as a single request would be tried.
    /// </summary>
    public async Task<T> RetryWholeAsync<T>(string repository, Func<Task<T>> operation, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await operation().ConfigureAwait(false);
            }
            catch (TransientRegistryException e)
            {
                if (attempt >= _settings.Options.MaxAttempts) throw e.Final(attempt);
            }
            await DelayAsync(RetryDelay(attempt, null), repository, ct).ConfigureAwait(false);
        }
    }

    /// <summary>The SLIM error for a final answer that is not what <paramref name="request"/> wanted.</summary>
    public async Task<SlimException> FailAsync(HttpResponseMessage response, RegistryRequest request, CancellationToken ct)
    {
        var detail = await ErrorText(response, request, ct).ConfigureAwait(false);
        return response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => new SlimException("SLIM4001", Registry, request.Repository, CredentialDescription, request.Doing, CredentialChain.EnvironmentNames),
            HttpStatusCode.Forbidden => new SlimException("SLIM4002", Registry, request.Repository, CredentialDescription, request.Doing, detail),
            HttpStatusCode.NotFound => new SlimException("SLIM4003", Registry, request.Repository, request.Doing, detail),
            _ => new SlimException("SLIM4007", Registry, request.Repository, request.Doing, (int)response.StatusCode, detail),
        };
    }

    /// <summary>A wait before the next try, which ends the operation with SLIM4019 when its time runs out.</summary>
    private async Task DelayAsync(TimeSpan delay, string repository, CancellationToken ct)
    {
        using var both = CancellationTokenSource.CreateLinkedTokenSource(ct, _deadline.Token);
        try
        {
            await Task.Delay(delay, both.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw DeadlinePassed(e, repository);
        }
    }

    private SlimException DeadlinePassed(Exception e, string repository) =>
        new(e, "SLIM4019", Registry, repository, Operation, Seconds(_deadline.Limit), _deadline.Describe());

    /// <summary>
    /// A manifest, index, config or token answer, read whole but refused (SLIM4018) past
    /// <see cref="RegistryOptions.MaxDocumentSize"/>; <paramref name="what"/> ("a manifest") names it in the message.
    /// </summary>
    public Task<byte[]> ReadDocumentAsync(HttpResponseMessage response, RegistryRequest request, string what, CancellationToken ct) =>
        BoundedBody.ReadAsync(response.Content, Options.MaxDocumentSize,
            size => new SlimException("SLIM4018", Registry, request.Repository, request.Doing, what, size, ByteSize.Format(Options.MaxDocumentSize)), ct);

    private static bool IsTransient(HttpStatusCode status) => (int)status >= 500 || status == HttpStatusCode.TooManyRequests;

    private TimeSpan RetryDelay(int attempt, TimeSpan? retryAfter)
    {
        var max = _settings.Options.MaxRetryDelay;
        if (retryAfter is { } asked && asked > TimeSpan.Zero) return asked < max ? asked : max;
        var delay = _settings.Options.FirstRetryDelay * Math.Pow(2, attempt - 1) * (0.75 + 0.5 * _jitter.NextDouble());
        return delay < max ? delay : max;
    }

    private async Task AuthorizeAsync(HttpRequestMessage message, RegistryRequest request, CancellationToken ct)
    {
        if (_challenge == null || message.RequestUri!.Authority != BaseUri.Authority) return;
        if (_challenge.IsBasic)
        {
            if (Credential is { IsIdentityToken: false } c && RegistryHost.MaySendSecrets(BaseUri, _settings.InsecureRegistries))
                message.Headers.Authorization = new AuthenticationHeaderValue("Basic", c.BasicValue());
        }
        else if (_challenge.IsBearer)
        {
            var key = string.Join(' ', request.Scopes);
            if (!_tokens.TryGetValue(key, out var token))
                _tokens[key] = token = await TokenClient.FetchAsync(this, _http, _challenge, request, Credential, _settings.InsecureRegistries, ct).ConfigureAwait(false);
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    /// <summary>After a 401: remembers the challenge and says whether a second try with (new) credentials makes sense.</summary>
    private Task<bool> LearnChallengeAsync(HttpResponseMessage response, RegistryRequest request, HttpRequestMessage sent, CancellationToken ct)
    {
        var challenge = response.Headers.WwwAuthenticate.Select(h => AuthChallenge.Parse(h.ToString()))
            .FirstOrDefault(c => c is { IsBearer: true } or { IsBasic: true });
        if (challenge == null) return Task.FromResult(false);
        var hadAuthorization = sent.Headers.Authorization != null;
        _challenge = challenge;
        if (challenge.IsBearer)
        {
            // A token we sent may have expired or lack a scope: fetch a new one once.
            _tokens.Remove(string.Join(' ', request.Scopes));
            return Task.FromResult(true);
        }
        return Task.FromResult(!hadAuthorization && Credential is { IsIdentityToken: false });
    }

    /// <summary>
    /// The registry's own words (distribution error JSON: <c>{"errors":[{"code","message"}]}</c>), short. A body
    /// past <see cref="RegistryOptions.MaxDocumentSize"/> is SLIM4018; one cut off or too slow leaves the status line.
    /// </summary>
    internal async Task<string> ErrorText(HttpResponseMessage response, RegistryRequest request, CancellationToken ct)
    {
        string body;
        try { body = System.Text.Encoding.UTF8.GetString(await ReadDocumentAsync(response, request, "an error message", ct).ConfigureAwait(false)); }
        catch (Exception e) when (e is HttpRequestException or IOException) { body = ""; }
        var text = $"{(int)response.StatusCode} {response.ReasonPhrase}";
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array)
            {
                var parts = errors.EnumerateArray().Select(e =>
                    (e.TryGetProperty("code", out var c) ? c.ToString() : "") + ": " + (e.TryGetProperty("message", out var m) ? m.ToString() : ""));
                text += " (" + string.Join("; ", parts) + ")";
            }
        }
        catch (JsonException) { /* not JSON: the status line is all there is */ }
        return text.Length > 400 ? text[..400] + "…" : text;
    }

    private static string Reason(Exception e)
    {
        var inner = e;
        while (inner.InnerException != null) inner = inner.InnerException;
        return inner == e ? e.Message : $"{e.Message} ({inner.Message})";
    }

    internal static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0", System.Globalization.CultureInfo.InvariantCulture) + " s";

    public void Dispose()
    {
        _http.Dispose();
        _deadline.Dispose();
    }
}
