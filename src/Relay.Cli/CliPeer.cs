using System.Threading.Channels;
using Relay.Protocol;
using Relay.Protocol.Messages;
using Relay.Runtime;
using Relay.Runtime.Client;

namespace Relay.Cli;

/// <summary>
/// The terminal as a peer (kind <c>cli</c>): one hub connection registered under <c>--as NAME</c>, or under
/// <c>cli-&lt;user&gt;</c> with a -2, -3… suffix while that name is taken. Everything the hub pushes (incoming asks,
/// replies, ask errors) lands in <see cref="Inbox"/>, which completes when the connection is gone.
/// </summary>
internal sealed class CliPeer : IAsyncDisposable
{
    private const int MaxNameAttempts = 50;

    private readonly HubClient _hub;

    private CliPeer(HubClient hub, string name, ChannelReader<ServerMessage> inbox)
    {
        _hub = hub;
        Name = name;
        Inbox = inbox;
    }

    public string Name { get; }

    public ChannelReader<ServerMessage> Inbox { get; }

    public HubClient Hub => _hub;

    /// <summary><c>cli-&lt;user&gt;</c>, in the peer-name alphabet.</summary>
    public static string DefaultName() => "cli-" + PeerNames.Slugify(Environment.UserName, "user");

    /// <summary>
    /// Connects and registers. <paramref name="exactName"/> (from <c>--as</c>) must be free; without it the default
    /// name gets a suffix until one is free (<paramref name="preferred"/>, a name held before a hub restart, is tried
    /// first). Throws <see cref="CliError"/> or <see cref="HubUnreachableException"/>.
    /// </summary>
    public static async Task<CliPeer> JoinAsync(DataDir dataDir, string? exactName, bool spawn, CancellationToken cancellationToken, string? preferred = null)
    {
        if (exactName is not null && !PeerNames.IsValid(exactName))
        {
            throw CliError.BadArgs($"--as: '{exactName}' is not a valid peer name (1-64 characters of A-Z a-z 0-9 . _ -)");
        }

        var inbox = Channel.CreateUnbounded<ServerMessage>(new UnboundedChannelOptions { SingleWriter = true });
        var hub = await HubConnector.ConnectAsync(dataDir, spawn, message => inbox.Writer.TryWrite(message), cancellationToken);
        _ = hub.Completion.ContinueWith(_ => inbox.Writer.TryComplete(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        try
        {
            var baseName = exactName ?? DefaultName();
            var cwd = SafeCwd();
            var template = new RegisterMessage
            {
                Name = baseName,
                ProtocolVersion = Protocol.ProtocolVersion.Current,
                Cwd = cwd,
                GitBranch = Relay.Runtime.GitBranch.Read(cwd),
                Pid = Environment.ProcessId,
                Kind = PeerKinds.Cli,
            };
            var candidates = exactName is not null ? [exactName] : PeerRegistrar.Candidates(preferred ?? baseName, baseName, MaxNameAttempts);
            var registration = await PeerRegistrar.RegisterAsync(hub, template, candidates, cancellationToken);
            return registration switch
            {
                { Registered: true } => new CliPeer(hub, registration.Name, inbox.Reader),
                { Refusal.Code: ErrorCodes.NameTaken } => throw new CliError(ErrorCodes.NameTaken, $"the peer name '{registration.Name}' is taken", "hint: pick another with --as NAME; `relay peers` lists the names in use"),
                _ => throw CliRunner.FromErr(registration.Refusal!),
            };
        }
        catch
        {
            await hub.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Joins again after the hub went away (starting a hub when none answers, as a channel would), under
    /// <paramref name="previousName"/> when it is free, retrying on <see cref="BackoffPolicy.Reconnect"/> until
    /// <paramref name="giveUpAt"/>. Throws <see cref="HubUnreachableException"/> when no hub could be reached by then.
    /// </summary>
    public static async Task<CliPeer> RejoinAsync(DataDir dataDir, string? exactName, string previousName, DateTimeOffset giveUpAt, CancellationToken cancellationToken)
    {
        for (var failures = 0; ; failures++)
        {
            var pause = BackoffPolicy.Reconnect.Delay(failures);
            if (DateTimeOffset.UtcNow + pause >= giveUpAt)
            {
                throw new HubUnreachableException("the hub went away and no new one could be reached in time");
            }

            await Task.Delay(pause, cancellationToken);
            try
            {
                return await JoinAsync(dataDir, exactName, spawn: true, cancellationToken, previousName);
            }
            catch (HubUnreachableException)
            {
            }
        }
    }

    /// <summary>Sends a request and waits (bounded by the hub client) for its answer; a silent hub counts as unreachable.</summary>
    public Task<ServerMessage> RequestAsync(ClientMessage message, CancellationToken cancellationToken) => _hub.RequestAsync(message, cancellationToken);

    /// <summary>
    /// True when Claude Code sessions with a native inbox run on this machine: a hub started now can reach them, so
    /// <c>ask</c>, <c>broadcast</c> and <c>peers</c> start one. With none running they still never start an empty hub.
    /// </summary>
    public static bool NativeSessionsRunning() =>
        Environment.GetEnvironmentVariable("RELAY_HUB_NATIVE_SESSIONS") != "0"
        && new Relay.Inbox.ClaudeSessions(Relay.Inbox.ClaudeHome.Resolve()).List().Count > 0;

    public static string SafeCwd()
    {
        try
        {
            return Environment.CurrentDirectory;
        }
        catch (IOException)
        {
            return "/";
        }
    }

    public ValueTask DisposeAsync() => _hub.DisposeAsync();
}
