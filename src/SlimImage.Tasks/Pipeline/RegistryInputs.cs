using SlimImage.Diagnostics;
using SlimImage.Registry;

namespace SlimImage.Pipeline;

/// <summary>Checks the registry properties (SLIM15xx) before any image work, like <see cref="RequestValidator"/>.</summary>
public static class RegistryInputs
{
    public static void Validate(ImageRequest request)
    {
        if (request.Registry != null && !RegistryHost.IsValid(request.Registry))
            throw new SlimException("SLIM1501", request.Registry);
        foreach (var host in request.Registries.InsecureRegistries)
            if (!RegistryHost.IsValid(host))
                throw new SlimException("SLIM1502", host);
    }

    /// <summary>SlimImageInsecureRegistries (or the SDK's DOTNET_CONTAINER_INSECURE_REGISTRIES): ';' or ',' separated.</summary>
    public static IReadOnlyList<string> SplitHosts(IEnumerable<string> values) =>
        values.SelectMany(v => v.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
}
