using System.CommandLine;
using Relay.Protocol;
using Relay.Protocol.Messages;
using Relay.Runtime;

namespace Relay.Cli.Commands;

/// <summary><c>relay peers</c>: who is on the hub right now.</summary>
internal static class PeersCommand
{
    public static Command Create()
    {
        var command = new Command("peers", "List the peers: Claude Code sessions (with or without the plugin) and terminals, with how each is reached, and sessions away for a moment (asks to them wait)")
        {
            CliOptions.Json,
        };
        CliRunner.SetAction(command, RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var dataDir = CliOptions.ResolveDataDir(parse);
        var json = parse.GetValue(CliOptions.Json);

        // list_peers needs a registered connection: join briefly as a cli peer and leave ourselves out.
        await using var peer = await CliPeer.JoinAsync(dataDir, exactName: null, spawn: CliPeer.NativeSessionsRunning(), cancellationToken);
        var answer = await peer.RequestAsync(new ListPeersMessage(), cancellationToken);
        if (answer is ErrMessage err)
        {
            throw CliRunner.FromErr(err);
        }

        if (answer is not PeersMessage list)
        {
            throw new CliError(ErrorCodes.Unexpected, "the hub answered list_peers with something else");
        }

        var peers = list.Peers.Where(p => p.Name != peer.Name).OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
        if (json)
        {
            CliJson.WriteLine(new PeersOutput { Peers = peers }, CliJson.Context.PeersOutput);
            return ExitCodes.Ok;
        }

        if (peers.Count == 0)
        {
            Console.Out.WriteLine("no peers (a Claude session joins when it starts with the relay plugin; a terminal with `relay listen`)");
            return ExitCodes.Ok;
        }

        var now = DateTimeOffset.UtcNow;
        // A hub in a NATS space names each peer's host; a local-only hub has no HOST column.
        if (peers.Any(p => p.Host is not null))
        {
            var hosted = new TextTable("NAME", "HOST", "KIND", "DELIVERY", "CWD", "BRANCH", "LAST SEEN");
            foreach (var p in peers)
            {
                hosted.Add(p.Name, p.Host ?? "-", KindLabel(p.Kind), p.Delivery ?? "-", ShortPath(p.Cwd), p.GitBranch ?? "-", Seen(p, now));
            }

            Console.Out.Write(hosted.ToString());
            return ExitCodes.Ok;
        }

        var table = new TextTable("NAME", "KIND", "DELIVERY", "CWD", "BRANCH", "LAST SEEN");
        foreach (var p in peers)
        {
            table.Add(p.Name, KindLabel(p.Kind), p.Delivery ?? "-", ShortPath(p.Cwd), p.GitBranch ?? "-", Seen(p, now));
        }

        Console.Out.Write(table.ToString());
        return ExitCodes.Ok;
    }

    /// <summary>When the peer was last heard from; for an away peer, how long asks to it are still held.</summary>
    public static string Seen(PeerInfo peer, DateTimeOffset now) => peer.AwayUntil is { } until
        ? $"away, waited for {Durations.Format(until > now ? until - now : TimeSpan.Zero)} more, {peer.HeldAsks ?? 0} asks held"
        : TimeAgo.Format(peer.LastSeen, now);

    public static string KindLabel(string? kind) => kind switch
    {
        PeerKinds.Claude => "claude session",
        PeerKinds.Cli => "cli",
        PeerKinds.ClaudeNative => "claude session (no plugin)",
        null or "" => "-",
        _ => kind,
    };

    /// <summary>The cwd with the home folder shown as <c>~</c>.</summary>
    public static string ShortPath(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return "-";
        }

        var home = DataDir.Home.TrimEnd('/');
        if (home.Length > 0 && (path == home || path.StartsWith(home + "/", StringComparison.Ordinal)))
        {
            return "~" + path[home.Length..];
        }

        return path;
    }
}
