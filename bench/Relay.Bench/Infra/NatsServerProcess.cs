using System.Net;
using System.Net.Sockets;

namespace Relay.Bench.Infra;

/// <summary>
/// One <c>nats-server -js</c> on loopback for a scenario: a free port, its own JetStream store in a temp folder.
/// Disposing stops exactly this pid (SIGTERM, then SIGKILL) and deletes the store.
/// </summary>
internal sealed class NatsServerProcess : IDisposable
{
    private readonly LineProcess _process;
    private readonly string _root;

    private NatsServerProcess(LineProcess process, string root, int port)
    {
        _process = process;
        _root = root;
        Port = port;
    }

    public int Port { get; }

    public int Pid => _process.Pid;

    public string Url => BenchWorld.Invariant($"nats://127.0.0.1:{Port}");

    /// <summary>The nats-server executable on PATH, or null.</summary>
    public static string? Find()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, "nats-server");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Starts the server and waits until its port accepts connections.</summary>
    public static NatsServerProcess Start(string executable)
    {
        var root = Directory.CreateTempSubdirectory("rb-nats-").FullName;
        var port = FreePort();
        var args = new[] { "-js", "-a", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-sd", Path.Combine(root, "store") };
        var process = LineProcess.Start(executable, args, new Dictionary<string, string?>(), root, "nats-server", static (_, _) => { });
        var server = new NatsServerProcess(process, root, port);
        var deadline = DateTime.UtcNow + BenchWorld.AnswerTimeout;
        while (!server.Accepts())
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                var tail = process.StderrTail;
                server.Dispose();
                throw new BenchFailure($"nats-server did not listen on 127.0.0.1:{port}: {tail}");
            }

            Thread.Sleep(10);
        }

        return server;
    }

    private bool Accepts()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Connect(IPAddress.Loopback, Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public void Dispose()
    {
        // A server does not exit on stdin EOF: SIGTERM lets it close its store, SIGKILL after the grace.
        _process.Terminate(TimeSpan.FromSeconds(5));
        _process.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
