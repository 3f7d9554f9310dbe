using System.Text.Json;
using SlimImage.Diagnostics;

namespace SlimImage.Report;

/// <summary>
/// The report of one platform image as data (<c>platform.tar.report.json</c> in obj/): an inner publish of a
/// multi-platform build writes it, and the outer build, which joins the platform images, renders one report with a
/// section per platform from them. Read back only from SlimImage's own intermediate folder, and bounded in size.
/// </summary>
public static class ReportData
{
    /// <summary>Larger than the data of any image's report (a few MB for tens of thousands of files).</summary>
    private const long MaxSize = 256L << 20;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    /// <summary>Writes the models (temp name, then renamed); SLIM5051 when it cannot.</summary>
    public static void Write(string path, IReadOnlyList<ReportModel> models, CancellationToken ct) =>
        ReportWriter.WriteFile(path, JsonSerializer.Serialize(models, Json), ct);

    /// <summary>The models <see cref="Write"/> wrote; SLIM5053 naming the file when it is missing, too large or not such data.</summary>
    public static IReadOnlyList<ReportModel> Read(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists) throw new FileNotFoundException("it is not there");
            if (info.Length > MaxSize) throw new InvalidDataException($"it has {info.Length} bytes");
            using var file = info.OpenRead();
            return JsonSerializer.Deserialize<List<ReportModel>>(file, Json) ?? throw new InvalidDataException("it holds no report");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or InvalidDataException or NotSupportedException)
        {
            throw new SlimException(e, "SLIM5053", path, e.Message);
        }
    }
}
