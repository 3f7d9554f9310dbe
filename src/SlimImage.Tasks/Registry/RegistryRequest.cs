using SlimImage.Diagnostics;

namespace SlimImage.Registry;

/// <summary>
/// One request to a registry. <see cref="Create"/> makes a fresh message for every try, because a body stream
/// cannot be sent twice.
/// </summary>
/// <param name="Repository">For the token scope and for messages.</param>
/// <param name="Doing">What the request is for, in messages: "uploading layer sha256:… (12.3 MB) to".</param>
/// <param name="Scopes">Token scopes (distribution docs/spec/auth/scope.md), e.g. <c>repository:app:pull,push</c>.</param>
/// <param name="Create">A new message; its URI may be relative to the registry's base URI.</param>
internal sealed record RegistryRequest(string Repository, string Doing, IReadOnlyList<string> Scopes, Func<HttpRequestMessage> Create)
{
    /// <summary>
    /// False for requests that continue an upload session: a second try of those is not safe on its own (the
    /// registry may hold part of the first), so the caller starts the blob again (<see cref="TransientRegistryException"/>).
    /// </summary>
    public bool Retry { get; init; } = true;

    /// <summary>Size of the body or of the expected download: the timeout grows with it.</summary>
    public long Bytes { get; init; }

    public static string PullScope(string repository) => $"repository:{repository}:pull";

    public static string PushScope(string repository) => $"repository:{repository}:pull,push";
}

/// <summary>
/// A failure worth another try (5xx, 429, timeout, dropped connection) of a request that could not be tried again
/// on its own; <see cref="Final"/> builds the error to report once the tries are used up.
/// </summary>
internal sealed class TransientRegistryException(Func<int, SlimException> final, Exception? inner)
    : Exception("A transient registry failure.", inner)
{
    public Func<int, SlimException> Final { get; } = final;
}
