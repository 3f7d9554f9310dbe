using System.Text;
using SlimImage.Diagnostics;

namespace SlimImage.Smoke;

/// <summary>
/// What the app prints, read line by line as it comes: each line to the build log at normal verbosity (the first
/// <see cref="LoggedLines"/>), the text kept for <c>SlimImageSmokeTestExpect</c> up to <see cref="KeptChars"/>, and the
/// last <see cref="TailLines"/> lines for a failure message. Nothing grows with what the app prints.
/// </summary>
internal sealed class AppOutput
{
    public const int LoggedLines = 2000;
    public const int KeptChars = 4 << 20;
    public const int TailLines = 30;
    private const int LineChars = 2000;

    private readonly StringBuilder text = new();
    private readonly Queue<string> tail = new();
    private readonly Action<SlimDiagnostic> report;
    private readonly string image;
    private readonly Task reading;
    private int lines;

    public AppOutput(TextReader reader, string image, Action<SlimDiagnostic> report)
    {
        this.image = image;
        this.report = report;
        reading = Task.Run(() =>
        {
            while (reader.ReadLine() is { } line) Add(line);
        });
    }

    /// <summary>Waits (at most a few seconds: a grandchild may hold the pipe) until the output has ended.</summary>
    public void Finish()
    {
        try { reading.Wait(TimeSpan.FromSeconds(5)); }
        catch (AggregateException) { /* the pipe broke: what was read is what there is */ }
        lock (text)
            if (lines > LoggedLines)
                report(SlimDiagnostic.Detail("SLIM5011", image, lines - LoggedLines));
    }

    public string Text
    {
        get { lock (text) return text.ToString(); }
    }

    public IReadOnlyList<string> Tail
    {
        get { lock (text) return tail.ToList(); }
    }

    private void Add(string line)
    {
        if (line.Length > LineChars) line = line[..LineChars] + "…";
        lock (text)
        {
            if (++lines <= LoggedLines) report(SlimDiagnostic.Detail("SLIM5010", image, line));
            if (text.Length < KeptChars) text.Append(line).Append('\n');
            tail.Enqueue(line);
            if (tail.Count > TailLines) tail.Dequeue();
        }
    }
}
