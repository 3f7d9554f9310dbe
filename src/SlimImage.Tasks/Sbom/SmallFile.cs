using System.Text;
using SlimImage.Diagnostics;
using SlimImage.FileSystem;

namespace SlimImage.Sbom;

/// <summary>
/// Reads the metadata files an SBOM takes from outside the build's own output (a package's <c>.nuspec</c>, a Debian
/// copyright file): regular files only, never more than a bound, and a file that cannot be read is a reason, not a
/// failed build.
/// </summary>
internal static class SmallFile
{
    /// <summary>The first <paramref name="max"/> bytes of <paramref name="path"/> as UTF-8; null with <paramref name="problem"/> set when it cannot be read.</summary>
    public static string? Read(string path, string role, int max, out string? problem)
    {
        problem = null;
        try
        {
            using var stream = HostFile.OpenRead(path, role, bufferSize: 0);
            var buffer = new byte[(int)Math.Min(max, Math.Max(0, stream.Length))];
            var n = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            // A byte order mark (NuGet writes one into every .nuspec) is not text: XML refuses it before the declaration.
            return Encoding.UTF8.GetString(buffer, 0, n).TrimStart('\uFEFF');
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            problem = "missing";
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SlimException)
        {
            problem = e is SlimException s ? s.Text : e.Message;
            return null;
        }
    }
}
