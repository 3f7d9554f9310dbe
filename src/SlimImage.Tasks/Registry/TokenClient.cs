using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using SlimImage.Diagnostics;
using SlimImage.Registry.Credentials;

namespace SlimImage.Registry;

/// <summary>
/// The bearer token flow (distribution docs/spec/auth/token.md and oauth.md): GET the realm with service and
/// scopes, with Basic credentials when there are any; with an identity token, POST grant_type=refresh_token.
/// The answer's <c>token</c> (or <c>access_token</c>) goes into later requests.
/// </summary>
internal static class TokenClient
{
    public static async Task<string> FetchAsync(RegistryTransport transport, HttpClient http, AuthChallenge challenge,
        RegistryRequest request, RegistryCredential? credential, IReadOnlyCollection<string> insecure, CancellationToken ct)
    {
        if (!Uri.TryCreate(challenge.Realm, UriKind.Absolute, out var realm) || (realm.Scheme != "https" && realm.Scheme != "http"))
            throw new SlimException("SLIM4011", transport.Registry, request.Repository, challenge.Realm ?? "(none)", "the realm is not an http(s) URL");
        if (credential != null && !RegistryHost.MaySendSecrets(realm, insecure))
            throw new SlimException("SLIM4011", transport.Registry, request.Repository, realm.GetLeftPart(UriPartial.Path),
                "it is plain HTTP, and credentials go over plain HTTP only to loopback hosts or those in SlimImageInsecureRegistries");

        HttpRequestMessage message;
        if (credential is { IsIdentityToken: true })
        {
            var form = new List<KeyValuePair<string, string>>
            {
                new("grant_type", "refresh_token"),
                new("refresh_token", credential.Secret),
                new("client_id", "slimimage"),
                new("scope", string.Join(' ', request.Scopes)),
            };
            if (challenge.Service != null) form.Add(new("service", challenge.Service));
            message = new HttpRequestMessage(HttpMethod.Post, realm) { Content = new FormUrlEncodedContent(form) };
        }
        else
        {
            var query = new List<string>();
            if (challenge.Service != null) query.Add("service=" + Uri.EscapeDataString(challenge.Service));
            query.AddRange(request.Scopes.Select(s => "scope=" + Uri.EscapeDataString(s)));
            var builder = new UriBuilder(realm);
            var existing = builder.Query.TrimStart('?');
            builder.Query = string.Join('&', new[] { existing }.Where(q => q.Length > 0).Concat(query));
            message = new HttpRequestMessage(HttpMethod.Get, builder.Uri);
            if (credential != null)
                message.Headers.Authorization = new AuthenticationHeaderValue("Basic", credential.BasicValue());
        }

        HttpResponseMessage response;
        try
        {
            // Headers only: the body is read below within MaxDocumentSize, never buffered whole by HttpClient.
            response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new SlimException(e, "SLIM4011", transport.Registry, request.Repository, realm.GetLeftPart(UriPartial.Path), e.Message);
        }
        using (response)
        {
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                throw new SlimException("SLIM4001", transport.Registry, request.Repository, transport.CredentialDescription,
                    request.Doing, CredentialChain.EnvironmentNames);
            if (!response.IsSuccessStatusCode)
                throw new SlimException("SLIM4011", transport.Registry, request.Repository, realm.GetLeftPart(UriPartial.Path),
                    await transport.ErrorText(response, request, ct).ConfigureAwait(false));
            var body = await transport.ReadDocumentAsync(response, request, "a token answer", ct).ConfigureAwait(false);
            try
            {
                using var doc = JsonDocument.Parse(body);
                foreach (var name in new[] { "token", "access_token" })
                    if (doc.RootElement.TryGetProperty(name, out var t) && t.ValueKind == JsonValueKind.String && t.GetString() is { Length: > 0 } token)
                        return token;
            }
            catch (JsonException) { /* reported below */ }
            throw new SlimException("SLIM4011", transport.Registry, request.Repository, realm.GetLeftPart(UriPartial.Path), "the answer holds no token");
        }
    }
}
