using SlimImage.Diagnostics;
using SlimImage.Oci;
using SlimImage.Output;
using SlimImage.Smoke;

namespace SlimImage.Pipeline;

/// <summary>
/// The smoke run in the pipeline: after the archive is written and before any load or push, the image runs once
/// (<c>SlimImageSmokeTest=true</c>). A failed run deletes the archive it judged: the archive path holds an image that
/// passed, or nothing, as it holds a whole archive or nothing (and so does the SBOM beside it).
/// </summary>
public static class SmokeStage
{
    public static void Run(ImageRequest request, BuiltImage image, ArchiveResult? written, string? sbomPath, string scratch,
        Action<SlimDiagnostic> report, CancellationToken ct)
    {
        if (request.SmokeTest == null) return;
        var options = new SmokeOptions(request.SmokeTest, scratch, written?.Path, SmokeOptions.CurrentArchitecture());
        var name = $"{request.Repository}:{request.Tags.FirstOrDefault() ?? "latest"}";
        try
        {
            SmokeTest.Run(SmokeImage.From(name, image), options, report, ct);
        }
        catch (Exception e) when (written != null && (e is SlimException or OperationCanceledException))
        {
            foreach (var path in sbomPath == null ? [written.Path] : new[] { written.Path, sbomPath })
            {
                try { File.Delete(path); }
                catch (Exception d) when (d is IOException or UnauthorizedAccessException) { /* the error says it is not to be used */ }
            }
            throw;
        }
    }
}
