using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using SlimImage.Pipeline;

namespace SlimImage.Incremental;

/// <summary>
/// A hash of everything known before any image work that decides the archive: every field of the request (the
/// properties and items of the project, serialized whole so that a field added later takes part without being
/// listed here), each publish file's size and mtime, and the code that builds the image.
/// </summary>
public static class InputFingerprint
{
    public static string Of(ImageRequest request)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(JsonSerializer.SerializeToUtf8Bytes(request, IncrementalJson.Default.ImageRequest));
        var publish = request.PublishFiles.Select(f => FileStamp.Of(f.HostPath)).ToList();
        hash.AppendData(JsonSerializer.SerializeToUtf8Bytes(publish, IncrementalJson.Default.ListFileStamp));
        // A new SlimImage (its assembly's MVID changes with every build of it) or another runtime (its zlib) rebuilds.
        hash.AppendData(JsonSerializer.SerializeToUtf8Bytes(new[]
        {
            typeof(InputFingerprint).Assembly.ManifestModule.ModuleVersionId.ToString(),
            RuntimeInformation.FrameworkDescription,
        }, IncrementalJson.Default.StringArray));
        return Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
    }
}
