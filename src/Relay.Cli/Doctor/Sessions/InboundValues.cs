namespace Relay.Cli.Doctor.Sessions;

/// <summary>The <c>crossSessionInbound</c> values, least to most restrictive.</summary>
internal static class InboundValues
{
    public const string Accept = "accept";
    public const string Hold = "hold";
    public const string Refuse = "refuse";

    public static bool IsValid(string? value) => value is Accept or Hold or Refuse;

    public static int Rank(string? value) => value switch
    {
        Hold => 1,
        Refuse => 2,
        _ => 0,
    };
}
