using System.Diagnostics;
using System.Globalization;

namespace SlimImage.Pipeline;

/// <summary>
/// How long each stage of one image took, for SLIM3601 (a detail message: <c>-v:n</c> shows it), so that a slow
/// build says where its time went.
/// </summary>
internal sealed class StageClock
{
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly List<string> stages = [];
    private TimeSpan last;

    /// <summary>Ends the stage named <paramref name="stage"/>, which began when the previous one ended.</summary>
    public void End(string stage)
    {
        var now = clock.Elapsed;
        stages.Add(stage + " " + Ms(now - last));
        last = now;
    }

    public override string ToString() =>
        string.Join(", ", stages) + "; total " + Ms(clock.Elapsed);

    private static string Ms(TimeSpan t) => t.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms";
}
