using Relay.Protocol;

namespace Relay.Cli;

/// <summary>Process exit codes of the CLI; one per error code a user can meet.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int PeerNotFound = 2;
    public const int PeerGone = 3;
    public const int Timeout = 4;
    public const int HubUnreachable = 5;
    public const int ProtocolMismatch = 6;
    public const int UnknownAsk = 7;
    public const int NameTaken = 8;
    public const int BadArgs = 9;
    public const int RateLimited = 10;
    /// <summary>The data dir is group/world-writable or owned by another user (not a wire error code).</summary>
    public const int UnsafeDataDir = 11;
    public const int Refused = 12;
    public const int Expired = 13;
    public const int Dropped = 14;
    /// <summary>The target is away and the hub's hold for it is full (<c>hold_full</c>).</summary>
    public const int HoldFull = 15;
    public const int Interrupted = 130;

    public static int ForCode(string? code) => code switch
    {
        ErrorCodes.PeerNotFound or ErrorCodes.PeerAmbiguous => PeerNotFound,
        ErrorCodes.PeerGone => PeerGone,
        ErrorCodes.Timeout => Timeout,
        ErrorCodes.HubUnreachable => HubUnreachable,
        ErrorCodes.ProtocolMismatch => ProtocolMismatch,
        ErrorCodes.UnknownAsk => UnknownAsk,
        ErrorCodes.NameTaken => NameTaken,
        ErrorCodes.RateLimited => RateLimited,
        ErrorCodes.BadArgs or ErrorCodes.BadMsg => BadArgs,
        ErrorCodes.Refused => Refused,
        ErrorCodes.Expired => Expired,
        ErrorCodes.Dropped => Dropped,
        ErrorCodes.HoldFull => HoldFull,
        _ => Failure,
    };
}
