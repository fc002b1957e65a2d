using Relay.Bench.Infra;
using Relay.Protocol;
using Relay.Protocol.Messages;
using Relay.Runtime.Client;

namespace Relay.Bench.Scenarios;

/// <summary>
/// Hub RSS with 2, 100 and 500 peers. The peers are raw socket clients (the protocol library's HubClient) that
/// register as <c>cli</c> peers, not channels: the hub treats every peer the same, and 500 channel processes would
/// measure the machine, not the hub. At each size one broadcast goes out and every peer answers, so the hub has
/// routed traffic to all of them before its RSS is read.
/// </summary>
internal sealed class HubRssScenario : IScenario
{
    public string Name => "hubrss";

    public void Run(BenchContext context, int run) => RunAsync(context, run).GetAwaiter().GetResult();

    private static async Task RunAsync(BenchContext context, int run)
    {
        using var world = new BenchWorld(context.Options);
        var hub = world.StartHub();
        var clients = new List<HubClient>();
        var replies = 0;
        TaskCompletionSource? allReplied = null;
        var expected = 0;
        try
        {
            foreach (var size in context.Options.HubRssPeers)
            {
                while (clients.Count < size)
                {
                    var index = clients.Count;
                    HubClient? client = null;
                    client = await HubClient.ConnectAsync(world.SocketPath, message =>
                    {
                        switch (message)
                        {
                            case IncomingAskMessage ask:
                                _ = client!.SendAsync(new ReplyMessage { AskId = ask.AskId, Text = Messages.Reply(index) }).AsTask();
                                break;
                            case IncomingReplyMessage when Interlocked.Increment(ref replies) == Volatile.Read(ref expected):
                                allReplied?.TrySetResult();
                                break;
                        }
                    }).ConfigureAwait(false);
                    clients.Add(client);
                    var ack = await client.RequestAsync(new RegisterMessage
                    {
                        Name = $"raw-{index:D3}",
                        ProtocolVersion = ProtocolVersion.Current,
                        Cwd = world.Root,
                        Pid = Environment.ProcessId,
                        Kind = PeerKinds.Cli,
                    }).WaitAsync(BenchWorld.AnswerTimeout).ConfigureAwait(false);
                    if (ack is not AckMessage)
                    {
                        throw new BenchFailure($"raw peer {index} could not register: {(ack as ErrMessage)?.Code}");
                    }
                }

                replies = 0;
                Volatile.Write(ref expected, size - 1);
                allReplied = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                var broadcast = await clients[0].RequestAsync(new BroadcastMessage { Question = Messages.Question(size) }).WaitAsync(BenchWorld.AnswerTimeout).ConfigureAwait(false);
                if (broadcast is not BroadcastAckMessage { PeerCount: var count } || count != size - 1)
                {
                    throw new BenchFailure($"hub RSS: broadcast to {size - 1} raw peers answered {broadcast.GetType().Name}");
                }

                await allReplied.Task.WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
                await Task.Delay(300).ConfigureAwait(false);
                var rss = ProcStats.RssMiB(hub);
                context.Results.Add(run, $"rss.hub_{size}", rss);
                context.Progress($"hub RSS with {size} raw peers: {rss:0.0} MiB");
            }
        }
        catch (Exception ex) when (ex is TimeoutException or HubUnreachableException)
        {
            throw new BenchFailure("hub RSS: " + ex.Message, ex);
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
