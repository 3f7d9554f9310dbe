using System.Runtime.InteropServices;

// Proves it ran inside the image: who it runs as (resolved through the image's /etc/passwd), where, and with what.
Console.WriteLine($"Hello from SlimImage! user={Environment.UserName} uid={Uid()} cwd={Environment.CurrentDirectory}");
Console.WriteLine($"args=[{string.Join(", ", args)}] runtime={RuntimeInformation.FrameworkDescription} rid={RuntimeInformation.RuntimeIdentifier}");
Console.WriteLine($"tmp={Path.GetTempPath()} writable={CanWrite(Path.GetTempPath())}");
return 0;

static string Uid() =>
    File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Uid:"))?.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1] ?? "?";

static bool CanWrite(string dir)
{
    try
    {
        var path = Path.Combine(dir, $"slimimage-probe-{Environment.ProcessId}");
        File.WriteAllText(path, "ok");
        File.Delete(path);
        return true;
    }
    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
    {
        return false;
    }
}
