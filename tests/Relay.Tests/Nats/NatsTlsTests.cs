using Relay.Protocol.Messages;
using Relay.Tests.Cli;
using Xunit;

namespace Relay.Tests.Nats;

/// <summary>
/// TLS as docs/across-machines.md sets it up: an openssl CA, a nats-server that speaks only TLS and verifies its
/// clients, hubs joining with <c>--nats-tls-ca</c>, <c>--nats-tls-cert</c> and <c>--nats-tls-key</c>; a hub that
/// lacks the CA or its client certificate does not join, and <c>relay doctor</c> says why.
/// </summary>
public sealed class NatsTlsTests
{
    [TlsLabFact]
    public async Task AnAskCrossesAVerifyingTlsServerAndAHubWithoutTheCaOrACertificateIsToldWhy()
    {
        await using var world = await CrossHostWorld.StartAsync(tls: true);
        Assert.StartsWith("tls://", world.Urls, StringComparison.Ordinal);
        var alice = await world.PeerAsync(world.A, "alice");
        var bob = await world.PeerAsync(world.B, "bob");

        await CrossHostWorld.WaitForPeerAsync(alice, "bob", "hb");
        await alice.RequestAsync<AckMessage>(new AskMessage { To = "bob@hb", Question = "over tls?", AskId = "a-1" });
        var asked = await bob.NextAsync<IncomingAskMessage>(CrossHostWorld.Wait);
        Assert.Equal(("alice@ha", "over tls?"), (asked.From, asked.Question));
        await bob.RequestAsync<AckMessage>(new ReplyMessage { AskId = asked.AskId, Text = "encrypted" });
        Assert.Equal("encrypted", (await alice.NextAsync<IncomingReplyMessage>(CrossHostWorld.Wait)).Text);

        var joined = await world.A.Sandbox.RunAsync(["doctor"]);
        Assert.Matches(@"(?m)^ok +nats +host ha joined space test via \S+ \(10\.77\.1\.1:4222, nats-server [^)]+\), 1 remote peer\(s\)$", joined.Stdout);
        var status = await world.A.Sandbox.RunAsync(["hub", "status"]);
        Assert.Matches(@"(?m)^nats +host ha joined space test via \S+ \(10\.77\.1\.1:4222, nats-server [^)]+\), 1 remote peer\(s\); sent 1 live, 0 through the stream$", status.Stdout);

        // Without the CA the server's certificate is not trusted; without a client certificate the server refuses.
        var noCa = await world.AddHostAsync("hc", ["--nats-tls-cert", world.Tls!.ClientCert("ha"), "--nats-tls-key", world.Tls.ClientKey("ha")]);
        var noCert = await world.AddHostAsync("hd", ["--nats-tls-ca", world.Tls.CaFile]);
        var untrusted = await DoctorUntilAsync(noCa, "could not set up TLS");
        Assert.Matches(@"(?m)^FAIL +nats +host hc could not set up TLS with tls://10\.77\.1\.1:4222: .*TLS authentication failed.*cert_chain_validation", untrusted);
        Assert.Contains("fix: --nats-tls-ca must name the CA file that signed the server's certificate", untrusted, StringComparison.Ordinal);
        var untrustedStatus = await noCa.Sandbox.RunAsync(["hub", "status"]);
        Assert.Matches(@"(?m)^nats +host hc has not joined space test at tls://10\.77\.1\.1:4222: .*TLS authentication failed", untrustedStatus.Stdout);
        var refused = await DoctorUntilAsync(noCert, "could not set up TLS");
        Assert.Matches(@"(?m)^FAIL +nats +host hd could not set up TLS with tls://10\.77\.1\.1:4222: .*(bad certificate|certificate required)", refused);
        Assert.Contains("also needs --nats-tls-cert and --nats-tls-key", refused, StringComparison.Ordinal);

        // Neither joined: the space still holds only alice and bob.
        var peers = await alice.RequestAsync<PeersMessage>(new ListPeersMessage());
        Assert.DoesNotContain(peers.Peers, p => p.Host is "hc" or "hd");
    }

    /// <summary>Runs <c>relay doctor</c> on <paramref name="host"/> until its output holds <paramref name="text"/> (the hub retries joining every few seconds).</summary>
    private static async Task<string> DoctorUntilAsync(CrossHostWorld.Host host, string text)
    {
        var deadline = DateTime.UtcNow + CrossHostWorld.Wait;
        while (true)
        {
            var result = await host.Sandbox.RunAsync(["doctor"], timeout: TimeSpan.FromSeconds(60));
            if (result.Stdout.Contains(text, StringComparison.Ordinal))
            {
                return result.Stdout;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"relay doctor on {host.Name} never said \"{text}\"; last output: {result.Stdout}{result.Stderr}");
            }

            await Task.Delay(500);
        }
    }
}
