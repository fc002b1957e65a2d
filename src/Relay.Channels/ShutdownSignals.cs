using System.Runtime.InteropServices;

namespace Relay.Channels;

/// <summary>
/// SIGINT, SIGTERM and SIGHUP stop the channel at once. Claude Code sends SIGINT on session exit, SIGTERM about
/// 100 ms later and SIGKILL after that, so the handler only records the request; the main path exits.
/// </summary>
internal sealed class ShutdownSignals
{
    private readonly PosixSignalRegistration[] _registrations;

    private ShutdownSignals(StopSource stop)
    {
        _registrations =
        [
            Register(PosixSignal.SIGINT, "sigint", stop),
            Register(PosixSignal.SIGTERM, "sigterm", stop),
            Register(PosixSignal.SIGHUP, "sighup", stop),
        ];
    }

    public static ShutdownSignals Register(StopSource stop) => new(stop);

    private static PosixSignalRegistration Register(PosixSignal signal, string reason, StopSource stop) =>
        PosixSignalRegistration.Create(signal, context =>
        {
            // Keep the default action (terminate) from running before the channel logged and closed its hub link.
            context.Cancel = true;
            stop.Request(reason);
        });
}
