using System.Net.Sockets;
using Relay.Protocol;
using Relay.Protocol.Messages;

namespace Relay.Bench.Infra;

/// <summary>A registered peer on a raw socket: blocking reader thread, lines serialized by the protocol library.</summary>
internal sealed class RawHubPeer : IDisposable
{
    private readonly SocketLineReader _reader;
    private readonly Action<RawHubPeer, ServerMessage, long> _onMessage;
    private readonly ManualResetEventSlim _registered = new(false, spinCount: 0);

    private RawHubPeer(Socket socket, Action<RawHubPeer, ServerMessage, long> onMessage)
    {
        _onMessage = onMessage;
        _reader = new SocketLineReader(socket, OnLine);
    }

    public string? LastError { get; private set; }

    public static RawHubPeer Connect(string socketPath, string name, Action<RawHubPeer, ServerMessage, long> onMessage)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Connect(new UnixDomainSocketEndPoint(socketPath));
        var peer = new RawHubPeer(socket, onMessage);
        peer.Send(new RegisterMessage { Name = name, ProtocolVersion = ProtocolVersion.Current, Cwd = "/", Pid = Environment.ProcessId, Kind = PeerKinds.Cli, ReqId = "reg" });
        if (!peer._registered.Wait(BenchWorld.AnswerTimeout))
        {
            throw new BenchFailure($"{name} was not registered at {socketPath}: {peer.LastError}");
        }

        return peer;
    }

    public void Send(ClientMessage message) => _reader.WriteLine(RelayJson.Serialize(message));

    private void OnLine(ReadOnlySpan<byte> line, long timestamp)
    {
        ServerMessage message;
        try
        {
            message = RelayJson.ParseServer(line);
        }
        catch (RelayJsonException ex)
        {
            LastError = ex.Message;
            return;
        }

        switch (message)
        {
            case AckMessage { ReqId: "reg" }:
                _registered.Set();
                return;
            case ErrMessage err:
                LastError = err.Code + ": " + err.Message;
                return;
            default:
                _onMessage(this, message, timestamp);
                return;
        }
    }

    public void Dispose()
    {
        _reader.Dispose();
        _registered.Dispose();
    }
}
