namespace SlimImage.Smoke;

/// <summary>How a run ended.</summary>
public enum RunEnding
{
    /// <summary>The app exited by itself (or, with a URL, after it answered and got SIGTERM).</summary>
    Exited,
    /// <summary>It was still running at the timeout and was killed.</summary>
    TimedOut,
    /// <summary>With a URL: it exited before it answered 2xx.</summary>
    ExitedBeforeAnswer,
    /// <summary>With a URL: no 2xx answer by the timeout; it was killed.</summary>
    NoAnswer,
    /// <summary>With a URL: it answered, got SIGTERM, and was still running a timeout later; it was killed.</summary>
    StopTimedOut,
}

/// <summary>What one run of the app did: how it ended, its exit code, what it printed, and the last HTTP answer.</summary>
public sealed record RunOutcome(RunEnding Ending, int? ExitCode, string Output, IReadOnlyList<string> Tail, TimeSpan Duration)
{
    /// <summary>With a URL: the last status line or connection error, e.g. <c>HTTP/1.1 200 OK</c>, <c>connection refused</c>.</summary>
    public string? LastAnswer { get; init; }
}

/// <summary>The app as a runner starts it: argv (entrypoint and arguments), environment, user and folder, in the image's root.</summary>
public sealed record AppLaunch(IReadOnlyList<string> Argv, IReadOnlyList<KeyValuePair<string, string>> Env, int Uid, int Gid, string WorkingDir);
