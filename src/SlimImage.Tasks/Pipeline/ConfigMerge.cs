using SlimImage.Base;
using SlimImage.Image;
using SlimImage.Oci;

namespace SlimImage.Pipeline;

/// <summary>
/// Merges SlimImage's config onto a base's the way a Dockerfile <c>FROM base</c> followed by ENV, LABEL, USER, WORKDIR
/// and ENTRYPOINT would: the base's Env is kept and SlimImage's variables are appended or replace the base's of the
/// same name; the base's labels and ports are kept, SlimImage's added; User, WorkingDir and Entrypoint are the base's
/// only where SlimImage sets none; the base's Cmd is dropped when SlimImage sets an Entrypoint (Docker resets CMD
/// when ENTRYPOINT changes, since a base's arguments were meant for the base's program); a base Entrypoint of
/// <c>dotnet</c> is never kept (<see cref="AppCommandComposer.IsDotnet"/>).
/// </summary>
public static class ConfigMerge
{
    /// <param name="slim">SlimImage's config, as for scratch.</param>
    /// <param name="baseImage">The base.</param>
    /// <param name="defaultsOnly">
    /// Names of SlimImage's variables that are generic defaults rather than settings (PATH when the user did not set
    /// it): the base's value wins for these, since the base knows where its programs are.
    /// </param>
    public static ImageConfig Merge(ImageConfig slim, LoadedBase baseImage, IReadOnlySet<string> defaultsOnly)
    {
        var b = baseImage.Config;
        var env = b.Env.Select(Split).ToList();
        foreach (var (name, value) in slim.Env.Select(Split))
        {
            var at = env.FindIndex(e => e.Name == name);
            if (at < 0) env.Add((name, value));
            else if (!defaultsOnly.Contains(name)) env[at] = (name, value);
        }
        var labels = new Dictionary<string, string>(b.Labels, StringComparer.Ordinal);
        foreach (var (key, value) in slim.Labels) labels[key] = value;
        var entrypoint = slim.Entrypoint.Count > 0 ? slim.Entrypoint : AppCommandComposer.IsDotnet(b.Entrypoint) ? [] : b.Entrypoint;
        var cmd = slim.Cmd is { Count: > 0 } ? slim.Cmd : slim.Entrypoint.Count > 0 ? null : b.Cmd;
        return slim with
        {
            User = string.IsNullOrEmpty(slim.User) ? b.User : slim.User,
            WorkingDir = string.IsNullOrEmpty(slim.WorkingDir) ? b.WorkingDir : slim.WorkingDir,
            Entrypoint = entrypoint,
            Cmd = cmd,
            Env = env.Select(e => e.Value == null ? e.Name : e.Name + "=" + e.Value).ToList(),
            Labels = labels,
            ExposedPorts = b.ExposedPorts.Concat(slim.ExposedPorts).ToList(),
            ExtraConfig = b.Extra,
            BaseHistory = baseImage.History,
        };
    }

    private static (string Name, string? Value) Split(string env)
    {
        var eq = env.IndexOf('=');
        return eq < 0 ? (env, null) : (env[..eq], env[(eq + 1)..]);
    }
}
