using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SlimImage.Smoke;

/// <summary>
/// Work done inside the run's network namespace from the build's own process: the network namespace is per thread
/// (setns(2) with CLONE_NEWNET is allowed in a threaded process), and a socket stays in the namespace it was made in.
/// So a short-lived thread joins the namespace, brings its loopback up or makes a socket, and ends; the build itself
/// never leaves its own network, and needs neither ip(8) nor an HTTP client in the image.
/// </summary>
internal static class NetNamespace
{
    /// <summary>Runs <paramref name="action"/> on a thread inside the network namespace of process <paramref name="pid"/>.</summary>
    public static T In<T>(int pid, Func<T> action)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var target = File.OpenHandle($"/proc/{pid}/ns/net");
                if (Native.SetNs((int)target.DangerousGetHandle(), Native.CLONE_NEWNET) != 0)
                    throw new IOException($"cannot join the network namespace of process {pid}: {Native.LastError()}");
                // The thread ends right after: it is never used for anything else, in any namespace.
                result = action();
            }
            catch (Exception e)
            {
                failure = e;
            }
        }) { IsBackground = true, Name = "SlimImage smoke netns" };
        thread.Start();
        thread.Join();
        if (failure != null) throw failure;
        return result;
    }

    /// <summary>Sets <c>lo</c> up (SIOCSIFFLAGS), as a container runtime does in a fresh network namespace.</summary>
    public static unsafe bool LoopbackUp()
    {
        var fd = Native.Socket(Native.AF_INET, Native.SOCK_DGRAM | Native.SOCK_CLOEXEC, 0);
        if (fd < 0) return false;
        try
        {
            // struct ifreq: the name (IFNAMSIZ 16), then a union whose first member here is short ifr_flags.
            var request = stackalloc byte[40];
            new Span<byte>(request, 40).Clear();
            "lo"u8.CopyTo(new Span<byte>(request, 16));
            if (Native.Ioctl(fd, Native.SIOCGIFFLAGS, request) != 0) return false;
            *(short*)(request + 16) |= Native.IFF_UP;
            return Native.Ioctl(fd, Native.SIOCSIFFLAGS, request) == 0;
        }
        finally
        {
            Native.Close(fd);
        }
    }

    /// <summary>
    /// One GET of <paramref name="path"/> on 127.0.0.1:<paramref name="port"/> inside the namespace of <paramref name="pid"/>:
    /// the status code, or why there was none ("connection refused").
    /// </summary>
    public static (int? Status, string Detail) Get(int pid, int port, string path, TimeSpan timeout)
    {
        using var socket = In(pid, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), limit.Token).AsTask().GetAwaiter().GetResult();
            var request = Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: localhost:{port}\r\nUser-Agent: SlimImage-smoke\r\nConnection: close\r\n\r\n");
            socket.SendAsync(request, SocketFlags.None, limit.Token).AsTask().GetAwaiter().GetResult();
            var buffer = new byte[256];
            var filled = 0;
            while (filled < buffer.Length)
            {
                var n = socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, limit.Token).AsTask().GetAwaiter().GetResult();
                if (n == 0) break;
                filled += n;
                if (Array.IndexOf(buffer, (byte)'\n', 0, filled) >= 0) break;
            }
            var line = Encoding.ASCII.GetString(buffer, 0, filled).Split('\n')[0].Trim();
            var parts = line.Split(' ');
            return parts.Length >= 2 && parts[0].StartsWith("HTTP/", StringComparison.Ordinal) && int.TryParse(parts[1], out var status)
                ? (status, line)
                : (null, line.Length == 0 ? "the connection closed without an answer" : "not an HTTP answer: " + line);
        }
        catch (SocketException e)
        {
            return (null, e.SocketErrorCode == SocketError.ConnectionRefused ? "connection refused" : e.Message);
        }
        catch (OperationCanceledException)
        {
            return (null, $"no answer within {timeout.TotalSeconds:0} s");
        }
    }
}
