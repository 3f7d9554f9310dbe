using System.Diagnostics;

namespace SlimImage.Tests.Elf;

/// <summary>
/// A temp folder in which tests build real ELF files with gcc and lay out fake sysroots. Libraries are linked with
/// -nostdlib so that they need nothing but what a test names, which keeps a fake sysroot free of libc.
/// 32-bit objects use <c>gcc -m32 -nostdlib</c>: gcc and binutils generate and link i386 code without the multilib
/// packages, which only add the 32-bit crt files and libgcc that -nostdlib does not use.
/// </summary>
internal sealed class ElfFixture : IDisposable
{
    private int stubCount;

    public ElfFixture()
    {
        Root = Directory.CreateTempSubdirectory("slimimage-elf-").FullName;
    }

    public string Root { get; }

    /// <summary>Host path of <paramref name="relative"/> under <see cref="Root"/>, its folder created.</summary>
    public string At(string relative)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return path;
    }

    public string Write(string relative, string text)
    {
        var path = At(relative);
        File.WriteAllText(path, text);
        return path;
    }

    public string Symlink(string relative, string target)
    {
        var path = At(relative);
        File.CreateSymbolicLink(path, target);
        return path;
    }

    /// <summary>Builds a shared library whose DT_NEEDED entries are exactly <paramref name="needs"/>, in order.</summary>
    public string Library(string relative, string? soname = null, IEnumerable<string>? needs = null,
        IEnumerable<string>? linkerArgs = null, bool m32 = false)
    {
        var args = new List<string> { "-shared", "-fPIC", "-nostdlib" };
        if (m32) args.Add("-m32");
        if (soname != null) args.Add("-Wl,-soname," + soname);
        args.AddRange(linkerArgs ?? []);
        args.AddRange(Stubs(needs, m32));
        return Gcc.Build(At(relative), "int slim_fixture_function(void) { return 42; }\n", args);
    }

    /// <summary>Builds a PIE program that needs only <paramref name="needs"/> (no libc): it is read, never run.</summary>
    public string Program(string relative, IEnumerable<string>? needs = null, IEnumerable<string>? linkerArgs = null)
    {
        var args = new List<string> { "-nostdlib", "-fPIE", "-pie" };
        args.AddRange(linkerArgs ?? []);
        args.AddRange(Stubs(needs, m32: false));
        return Gcc.Build(At(relative), "void _start(void) { for (;;) { } }\n", args);
    }

    /// <summary>
    /// To give a library a DT_NEEDED entry, ld must link against an object with that soname: build a stub per name
    /// in a folder of the fixture that no test searches.
    /// </summary>
    private IEnumerable<string> Stubs(IEnumerable<string>? needs, bool m32)
    {
        var list = needs?.ToList() ?? [];
        if (list.Count == 0) return [];
        var args = new List<string> { "-Wl,--no-as-needed" };
        foreach (var soname in list)
        {
            var stub = At($".stubs/{stubCount++}/{soname}");
            var stubArgs = new List<string> { "-shared", "-fPIC", "-nostdlib", "-Wl,-soname," + soname };
            if (m32) stubArgs.Add("-m32");
            Gcc.Build(stub, "int slim_stub(void) { return 0; }\n", stubArgs);
            args.Add(stub);
        }
        return args;
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}

/// <summary>Runs gcc on a C snippet; a failure shows the command line and gcc's output.</summary>
internal static class Gcc
{
    public static string Build(string output, string source, IEnumerable<string> args)
    {
        var sourceFile = output + ".c";
        File.WriteAllText(sourceFile, source);
        var start = new ProcessStartInfo("gcc") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        start.ArgumentList.Add("-o");
        start.ArgumentList.Add(output);
        start.ArgumentList.Add(sourceFile);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("Could not start gcc.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("These tests build their ELF fixtures with gcc, which is not on PATH "
                + "(apt-get install gcc).", e);
        }
        using var _ = process;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        File.Delete(sourceFile);
        if (process.ExitCode != 0)
            throw new InvalidOperationException(
                $"gcc failed ({process.ExitCode}): gcc {string.Join(' ', start.ArgumentList)}\n{stdout}{stderr.Result}");
        return output;
    }
}
