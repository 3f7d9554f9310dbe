using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace SlimImage.Incremental;

/// <summary>
/// A hash of everything known before any image work that decides the archive: every public property of the request
/// (the properties and items of the project, walked by reflection so that a field added later takes part without
/// being listed here), each publish file's size and mtime, and the code that builds the image.
/// </summary>
/// <remarks>
/// A hand-rolled canonical text rather than JSON: System.Text.Json, even source-generated, spends some 50 ms warming
/// up in a fresh MSBuild process, which was most of a publish with nothing to do.
/// </remarks>
public static class InputFingerprint
{
    /// <summary>
    /// The fingerprint of <paramref name="request"/>'s public properties (but <paramref name="notInputs"/> of it) and of
    /// the size and mtime of each of <paramref name="files"/>.
    /// </summary>
    public static string Of(object request, IEnumerable<string> files, IReadOnlySet<string> notInputs)
    {
        var text = new StringBuilder(16 * 1024);
        Append(text, request, depth: 0, request, notInputs);
        foreach (var file in files)
            Append(text, FileStamp.Of(file), depth: 0, request, notInputs);
        // A new SlimImage (its assembly's MVID changes with every build of it) or another runtime (its zlib) rebuilds.
        Append(text, typeof(InputFingerprint).Assembly.ManifestModule.ModuleVersionId.ToString(), depth: 0, request, notInputs);
        Append(text, RuntimeInformation.FrameworkDescription, depth: 0, request, notInputs);
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()))).ToLowerInvariant();
    }

    // Strings are length-prefixed, so no value can imitate a separator; objects are their public properties by name.
    private static void Append(StringBuilder text, object? value, int depth, object root, IReadOnlySet<string> notInputs)
    {
        if (depth > 8) throw new InvalidOperationException("The request is nested too deeply to fingerprint.");
        switch (value)
        {
            case null:
                text.Append("null;");
                break;
            case string s:
                text.Append(s.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(s).Append(';');
                break;
            case DateTimeOffset time:
                Append(text, time.ToString("O", CultureInfo.InvariantCulture), depth, root, notInputs);
                break;
            case bool or Enum or IFormattable:
                Append(text, Convert.ToString(value, CultureInfo.InvariantCulture), depth, root, notInputs);
                break;
            case IEnumerable items:
                text.Append('[');
                foreach (var item in items) Append(text, item, depth + 1, root, notInputs);
                text.Append(']');
                break;
            default:
                text.Append('{');
                foreach (var property in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
                             .Where(p => p.GetIndexParameters().Length == 0 && !(ReferenceEquals(value, root) && notInputs.Contains(p.Name)))
                             .OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    Append(text, property.Name, depth, root, notInputs);
                    Append(text, property.GetValue(value), depth + 1, root, notInputs);
                }
                text.Append('}');
                break;
        }
    }
}
