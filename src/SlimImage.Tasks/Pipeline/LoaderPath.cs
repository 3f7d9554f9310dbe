using SlimImage.Base;
using SlimImage.Closure;
using SlimImage.Diagnostics;
using SlimImage.Entries;

namespace SlimImage.Pipeline;

/// <summary>
/// The one path of an image that nothing searches: the kernel opens a program's PT_INTERP (e.g.
/// <c>/lib64/ld-linux-x86-64.so.2</c>) exactly as written, through whatever links the image has on the way. A base
/// whose <c>/lib64</c> or <c>/lib</c> link dangles or loops, once SlimImage's files are on top, gives an image whose
/// program cannot start ("no such file or directory" for a file that is there): that is an error at build time.
/// Libraries are not checked this way: the loader searches several folders and skips a dangling one.
/// </summary>
public static class LoaderPath
{
    /// <summary>Throws SLIM3524 when a program interpreter does not lead to a file in the base with <paramref name="plan"/> on top.</summary>
    public static void Check(LoadedBase baseImage, IReadOnlyList<ProgramInterpreter> interpreters, RootfsPlan plan)
    {
        if (baseImage.Files.Count == 0 || interpreters.Count == 0) return;
        var image = baseImage.Files.With(plan.Entries);
        foreach (var interpreter in interpreters.Where(i => i.Path.StartsWith('/')))
            if (image.WhyNoFile(interpreter.Path) is { } why)
                throw new SlimException("SLIM3524", interpreter.Path, interpreter.NeededBy, baseImage.Name, why);
    }
}
