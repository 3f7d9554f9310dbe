using System.Diagnostics;
using System.Text.Json;
using SlimImage.Diagnostics;

namespace SlimImage.Registry.Credentials;

/// <summary>
/// Runs <c>docker-credential-NAME get</c> (docker/docker-credential-helpers protocol: the server URL on stdin,
/// <c>{"ServerURL","Username","Secret"}</c> on stdout; a non-zero exit with "credentials not found" means none).
/// </summary>
public sealed class CredentialHelper(Func<string, string?> environment)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public RegistryCredential? Get(string helper, string serverUrl, Action<SlimDiagnostic> report)
    {
        var program = "docker-credential-" + helper;
        var path = Find(program);
        if (path == null)
        {
            report(SlimDiagnostic.Info("SLIM4105", program, serverUrl));
            return null;
        }
        var psi = new ProcessStartInfo(path, "get")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string stdout, stderr;
        int exit;
        try
        {
            using var p = Process.Start(psi)!;
            var output = p.StandardOutput.ReadToEndAsync();
            var error = p.StandardError.ReadToEndAsync();
            try
            {
                p.StandardInput.Write(serverUrl);
                p.StandardInput.Close();
            }
            catch (IOException)
            {
                // The helper exited without reading its input (a broken pipe): its exit code and stderr tell why.
            }
            if (!p.WaitForExit((int)Timeout.TotalMilliseconds))
            {
                p.Kill(entireProcessTree: true);
                throw new SlimException("SLIM4012", program, serverUrl, $"it did not answer within {Timeout.TotalSeconds:0} s");
            }
            stdout = output.GetAwaiter().GetResult();
            stderr = error.GetAwaiter().GetResult();
            exit = p.ExitCode;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException)
        {
            throw new SlimException(e, "SLIM4012", program, serverUrl, e.Message);
        }
        if (exit != 0)
        {
            // credentials.ErrCredentialsNotFound: "credentials not found in native keychain"
            if ((stdout + stderr).Contains("credentials not found", StringComparison.OrdinalIgnoreCase)) return null;
            // Only the first line of stderr: a helper's stdout might hold a secret even when it fails.
            var first = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Trim() ?? "";
            throw new SlimException("SLIM4012", program, serverUrl, $"exit code {exit}: {first}");
        }
        try
        {
            using var doc = JsonDocument.Parse(stdout);
            var user = doc.RootElement.TryGetProperty("Username", out var u) ? u.GetString() : null;
            var secret = doc.RootElement.TryGetProperty("Secret", out var s) ? s.GetString() : null;
            if (string.IsNullOrEmpty(secret)) return null;
            return new RegistryCredential(string.IsNullOrEmpty(user) ? RegistryCredential.IdentityTokenUser : user, secret, program);
        }
        catch (JsonException)
        {
            throw new SlimException("SLIM4012", program, serverUrl, "its output is not the JSON of the credential-helper protocol");
        }
    }

    private string? Find(string program)
    {
        foreach (var dir in (environment("PATH") ?? "").Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = System.IO.Path.Combine(dir, program);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}
