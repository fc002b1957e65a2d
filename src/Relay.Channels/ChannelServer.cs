using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using NLog;
using Relay.Channels.Delivery;
using Relay.Inbox;
using Relay.Protocol.Messages;
using Relay.Runtime;

namespace Relay.Channels;

/// <summary>
/// <c>relay mcp</c>: the MCP stdio server Claude Code runs in every session. Built on the SDK's low-level server
/// (no generic host, no DI, no reflection) so it starts in milliseconds and stays small. Exits on stdin EOF,
/// SIGINT/SIGTERM/SIGHUP, or when its parent dies.
/// </summary>
/// <remarks>
/// Decisions worth knowing:
/// <list type="bullet">
/// <item><c>relay_ask</c> to a name nobody holds fails at once with the tool error <c>peer_not_found</c> (the hub
/// answers the ask synchronously); <c>timeout</c> and <c>peer_gone</c> arrive later as error pushes.</item>
/// <item>When the hub dies, the channel reconnects, re-registers under the same name and re-submits its pending asks
/// (<see cref="AskRecovery"/>); broadcast targets still waiting end with a <c>hub_unreachable</c> error push.</item>
/// <item>While reconnecting, tools answer <c>hub_unreachable</c> within about a second; right after startup they wait
/// up to 10 s for the first registration (the hub may be starting).</item>
/// <item>First name: <c>CLAUDE_RELAY_PRESET_NAME</c> when valid, else a user-given Claude session name from the
/// sessions file, else the slug of the cwd's basename; taken names get -2, -3, ….</item>
/// </list>
/// </remarks>
public static class ChannelServer
{
    public const string ServerName = "relay";

    /// <summary>Runs the channel until the session ends; returns the process exit code.</summary>
    public static async Task<int> RunAsync(DataDir dataDir, string? deliverySetting, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataDir);
        var settings = ChannelSettings.FromEnvironment();
        if (deliverySetting is not null)
        {
            settings = settings with { Delivery = deliverySetting };
        }

        RelayLog.Configure(dataDir, "channel", settings.LogToStderr);
        var log = RelayLog.For("channel");

        using var stop = new StopSource();
        // Never disposed: System.CommandLine's own SIGINT/SIGTERM handler blocks the signal thread until this method
        // returns, and unregistering a handler while a signal is being dispatched waits for that dispatch.
        var signals = ShutdownSignals.Register(stop);
        using var cancelled = cancellationToken.Register(() => stop.Request("cancelled"));
        ParentWatch.Start(stop, log);

        var sessionsFile = SessionNameSync.FileForParent();
        var choice = ChooseDelivery(settings, sessionsFile, log);
        var identity = PeerIdentity.Resolve(settings, sessionsFile, log) with
        {
            Delivery = choice.Path,
            ClaudePid = sessionsFile is not null && File.Exists(sessionsFile) ? Libc.GetParentPid() : null,
            SessionId = sessionsFile is null ? null : SessionFile.TryReadString(sessionsFile, "sessionId"),
        };
        var pushes = new PushQueue(settings.PushDelay, settings.PushFallback, log);
        IDelivery? delivery = null;
        var link = new HubLink(dataDir, identity, message => delivery!.Deliver(message), summary => delivery!.Deliver(summary), log) { GiveUpAfter = settings.HubGiveUp };
        delivery = CreateDelivery(choice, pushes, link, log);
        link.Start();

        var tools = new ChannelTools(link, delivery, settings, log);
        using var sdkLogging = SdkLogging.Create();
        var stdio = new StreamServerTransport(StdioStreams.OpenInput(() => stop.Request("stdin_eof")), StdioStreams.OpenOutput(), ServerName, sdkLogging);
        var transport = new LegacyOnlyTransport(stdio, log);
        var server = McpServer.Create(transport, CreateOptions(tools, pushes, choice.Path), sdkLogging);
        pushes.Attach(notification => server.SendMessageAsync(notification, CancellationToken.None));

        var run = server.RunAsync(stop.Token);
        using var sync = SessionNameSync.Start(sessionsFile, link, log, stop.Token);
        log.Event(LogLevel.Info, "channel_start", ("name", identity.BaseName), ("cwd", identity.Cwd), ("data_dir", dataDir.Path), ("ppid", Libc.GetParentPid()), ("delivery", choice.Path), ("delivery_reason", choice.Reason));

        var first = await Task.WhenAny(run, stop.Reason).ConfigureAwait(false);
        var reason = first == run ? "stdin_eof" : await stop.Reason.ConfigureAwait(false);
        stop.Request(reason);
        log.Event(LogLevel.Info, "channel_stop", ("name", link.Name), ("reason", reason));

        // Closing the hub connection tells the hub at once that this peer left. The MCP transport is not disposed:
        // its stdin read may still be blocked, and the process is about to exit anyway.
        await link.DisposeAsync().ConfigureAwait(false);
        await delivery.DisposeAsync().ConfigureAwait(false);
        GC.KeepAlive(signals);
        // No RelayLog.Shutdown(): its flush can block for about a second, longer than Claude Code waits between
        // SIGINT and SIGKILL, and there is nothing to flush (targets write synchronously and keep no file open).
        return 0;
    }

    /// <summary>The session's delivery path: the setting, its launch flags, and whether it has a native inbox.</summary>
    private static DeliveryChoice ChooseDelivery(ChannelSettings settings, string? sessionsFile, Logger log)
    {
        var setting = settings.Delivery;
        if (!DeliveryChoice.IsValidSetting(setting))
        {
            log.Event(LogLevel.Warn, "delivery_setting_invalid", ("value", setting), ("using", DeliveryChoice.Auto));
            setting = null;
        }

        var inboxSocket = Environment.GetEnvironmentVariable(InboxEnvironment.Socket) is { Length: > 0 } fromEnv
            ? fromEnv
            : sessionsFile is null ? null : SessionFile.TryReadString(sessionsFile, "messagingSocketPath");
        return DeliveryChoice.Resolve(setting == DeliveryChoice.Auto ? null : setting, ParentCommandLine.Read(Libc.GetParentPid()), inboxSocket);
    }

    private static IDelivery CreateDelivery(DeliveryChoice choice, PushQueue pushes, HubLink link, Logger log)
    {
        void Receipt(string askId, string status) => link.SendReceipt(askId, status);
        return choice.Path switch
        {
            DeliveryPaths.Channel => new ChannelPushDelivery(pushes, Receipt),
            DeliveryPaths.Inbox => Delivery.InboxDelivery.Create(choice.InboxSocket!, link, log),
            _ => new PullDelivery(Receipt, log),
        };
    }

    private static McpServerOptions CreateOptions(ChannelTools tools, PushQueue pushes, string delivery) => new()
    {
        ServerInfo = new Implementation { Name = ServerName, Version = RelayVersion.Text },
        ServerInstructions = ChannelInstructions.For(delivery),
        Capabilities = new ServerCapabilities
        {
            Experimental = new Dictionary<string, object> { ["claude/channel"] = new JsonObject() },
            Tools = new ToolsCapability(),
        },
        Handlers = new McpServerHandlers
        {
            ListToolsHandler = (_, _) =>
            {
                pushes.MarkToolsUsed();
                return ValueTask.FromResult(ToolCatalog.Result);
            },
            CallToolHandler = (request, cancellationToken) =>
            {
                pushes.MarkToolsUsed();
                return tools.CallAsync(request.Params, cancellationToken);
            },
            NotificationHandlers =
            [
                new(NotificationMethods.InitializedNotification, (_, _) =>
                {
                    pushes.MarkInitialized();
                    return ValueTask.CompletedTask;
                }),
            ],
        },
    };
}
