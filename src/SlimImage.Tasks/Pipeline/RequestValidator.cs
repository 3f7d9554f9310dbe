using System.Globalization;
using System.Text.RegularExpressions;
using SlimImage.Base;
using SlimImage.Diagnostics;
using SlimImage.FileSystem;
using SlimImage.Rootfs;

namespace SlimImage.Pipeline;

/// <summary>
/// Checks user input before any image work, each mistake a SLIM1xxx error naming the property or item.
/// </summary>
public static partial class RequestValidator
{
    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvNamePattern();

    public static void Validate(ImageRequest request)
    {
        ValidateRepository(request.Repository);
        foreach (var tag in request.Tags)
            ValidateTag(tag);
        if (!request.WorkingDirectory.StartsWith('/'))
            throw new SlimException("SLIM1015", request.WorkingDirectory);
        if (request.Entrypoint.Count > 0 && !request.Entrypoint[0].StartsWith('/'))
            throw new SlimException("SLIM1018", request.Entrypoint[0]);
        // With a base archive the user may be one of the base's own: BaseOverlay checks it against the base's /etc/passwd.
        if (request.Base.HasOwnEtc && !EtcFiles.CanResolve(request.User, out var known))
            throw new SlimException("SLIM1014", request.User, known);
        foreach (var (name, _) in request.Environment)
            if (!EnvNamePattern().IsMatch(name))
                throw new SlimException("SLIM1011", name);
        foreach (var (name, _) in request.Labels)
            if (string.IsNullOrWhiteSpace(name))
                throw new SlimException("SLIM1012", name);
        foreach (var file in request.Files)
        {
            // Followed if it is a link: the item names it on purpose. What the link leads to must be a file or a folder.
            var type = HostFile.TargetTypeOf(file.HostPath);
            if (type == HostFileType.Missing)
                throw new SlimException("SLIM1006", file.HostPath);
            if (type is not (HostFileType.Regular or HostFileType.Directory))
                throw new SlimException("SLIM1019", file.HostPath, HostFile.Describe(type));
            if (string.IsNullOrWhiteSpace(file.DestinationPath) || !file.DestinationPath.StartsWith('/'))
                throw new SlimException("SLIM1007", file.HostPath);
        }
        if (!Directory.Exists(request.Sysroot))
            throw new SlimException("SLIM1017", request.Sysroot);
        EnsureWritableFolder(request.ArchivePath);
        Runtime.RuntimeOptions.Validate(request.CaCertificates);
        RegistryInputs.Validate(request);
    }

    public static void ValidateRepository(string repository)
    {
        if (repository.Length > 255)
            throw new SlimException("SLIM1008", repository, "longer than 255 characters");
        if (!Registry.ImageReference.IsRepository(repository))
            throw new SlimException("SLIM1008", repository,
                repository.Any(char.IsUpper) ? "upper-case letters are not allowed" : "not of the form name[/name...]");
    }

    public static void ValidateTag(string tag)
    {
        if (!Registry.ImageReference.IsTag(tag))
            throw new SlimException("SLIM1009", tag, tag.Length > 128 ? "longer than 128 characters" : "a character is not allowed");
    }

    public static ImagePort ParsePort(string number, string? type)
    {
        var kind = string.IsNullOrWhiteSpace(type) ? "tcp" : type.Trim().ToLowerInvariant();
        if (!int.TryParse(number.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            || port is < 1 or > 65535 || kind is not ("tcp" or "udp"))
            throw new SlimException("SLIM1010", string.IsNullOrWhiteSpace(type) ? number : $"{number} ({type})");
        return new ImagePort(port, kind);
    }

    /// <summary>SOURCE_DATE_EPOCH (reproducible-builds.org): whole seconds since 1970; empty gives the epoch itself.</summary>
    public static DateTimeOffset ParseSourceDateEpoch(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
            return DateTimeOffset.UnixEpoch;
        if (!long.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds > 253402300799)
            throw new SlimException("SLIM1013", value);
        return DateTimeOffset.FromUnixTimeSeconds(seconds);
    }

    /// <summary>
    /// The archive's folder must take a file before any image work: the layers are written beside it, and a
    /// read-only path found only after compressing would waste the whole build.
    /// </summary>
    private static void EnsureWritableFolder(string archivePath)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(archivePath))!;
        var probe = Path.Combine(folder, ".slimimage-probe-" + Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(folder);
            using (File.Create(probe, 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SlimException(e, "SLIM1016", archivePath, e.Message);
        }
    }
}
