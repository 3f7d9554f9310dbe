namespace SlimImage.Diagnostics;

/// <summary>
/// An expected failure with a <c>SLIMnnnn</c> code that the user can act on. The MSBuild tasks turn it into
/// one error line; anything else escaping the core is a bug.
/// </summary>
public sealed class SlimException : Exception
{
    public SlimException(string code, params object?[] args)
        : base(Messages.Format(code, args))
    {
        Code = code;
    }

    public SlimException(Exception inner, string code, params object?[] args)
        : base(Messages.Format(code, args), inner)
    {
        Code = code;
    }

    /// <summary>The SLIMnnnn code, e.g. <c>SLIM2001</c>.</summary>
    public string Code { get; }

    /// <summary>The message without its leading "SLIMnnnn: " (MSBuild prints the code itself).</summary>
    public string Text => Messages.StripCode(Message);
}

/// <summary>A warning or message raised by the core, passed to the caller's callback instead of a logger.</summary>
public sealed record SlimDiagnostic(SlimSeverity Severity, string Code, string Message)
{
    public static SlimDiagnostic Warning(string code, params object?[] args) =>
        new(SlimSeverity.Warning, code, Messages.StripCode(Messages.Format(code, args)));

    public static SlimDiagnostic Info(string code, params object?[] args) =>
        new(SlimSeverity.Message, code, Messages.StripCode(Messages.Format(code, args)));

    /// <summary>A message for normal verbosity only (progress, per-blob detail): not shown by a default build.</summary>
    public static SlimDiagnostic Detail(string code, params object?[] args) =>
        new(SlimSeverity.Detail, code, Messages.StripCode(Messages.Format(code, args)));
}

public enum SlimSeverity { Message, Warning, Detail }
