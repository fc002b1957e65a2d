using Relay.Protocol;
using Relay.Protocol.Messages;

namespace Relay.Runtime.Client;

/// <summary>
/// Registers a connection under the first free name of a list of candidates: the one registration-with-suffix routine
/// of every peer (the channel, <c>relay ask</c>/<c>broadcast</c>/<c>listen</c>). <c>name_taken</c> moves on to the
/// next candidate; any other refusal, or a name that is still taken after the last candidate, ends the attempt.
/// </summary>
public static class PeerRegistrar
{
    /// <summary>
    /// The names to try: <paramref name="first"/> (the name held before a reconnect, or the preferred one), then
    /// <paramref name="baseName"/>, base-2, base-3, … (skipping <paramref name="first"/>), at most
    /// <paramref name="max"/> names in all (null: no bound).
    /// </summary>
    public static IEnumerable<string> Candidates(string first, string baseName, int? max = null)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(baseName);
        var count = 0;
        if (max is <= 0)
        {
            yield break;
        }

        yield return first;
        count++;
        for (var n = 1; max is null || count < max; n++)
        {
            var candidate = PeerNames.WithSuffix(baseName, n);
            if (candidate == first)
            {
                continue;
            }

            yield return candidate;
            count++;
        }
    }

    /// <summary>
    /// Sends <c>register</c> for each candidate in turn (<paramref name="template"/> with the candidate's name) until
    /// one is acked. Returns the ack and the name registered, or the last err (the last <c>name_taken</c> when every
    /// candidate was taken, or the first other refusal). Throws <see cref="HubUnreachableException"/> when the hub
    /// goes away.
    /// </summary>
    public static async Task<Registration> RegisterAsync(HubClient client, RegisterMessage template, IEnumerable<string> candidates, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(candidates);
        var tries = 0;
        ErrMessage? last = null;
        string? lastName = null;
        foreach (var candidate in candidates)
        {
            tries++;
            lastName = candidate;
            var answer = await client.RequestAsync(
                new RegisterMessage
                {
                    Name = candidate,
                    ProtocolVersion = template.ProtocolVersion,
                    Cwd = template.Cwd,
                    GitBranch = template.GitBranch,
                    Pid = template.Pid,
                    Kind = template.Kind,
                    Delivery = template.Delivery,
                    ClaudePid = template.ClaudePid,
                    SessionId = template.SessionId,
                },
                cancellationToken).ConfigureAwait(false);
            switch (answer)
            {
                case AckMessage ack:
                    return new Registration(ack.Name ?? candidate, ack, null, tries);
                case ErrMessage { Code: ErrorCodes.NameTaken } taken:
                    last = taken;
                    continue;
                case ErrMessage err:
                    return new Registration(candidate, null, err, tries);
                default:
                    return new Registration(candidate, null, new ErrMessage { Code = ErrorCodes.Unexpected, Message = "the hub answered register with " + answer.GetType().Name }, tries);
            }
        }

        return new Registration(lastName ?? "", null, last ?? new ErrMessage { Code = ErrorCodes.NameTaken, Message = "no name to register under" }, tries);
    }
}

/// <summary>The outcome of <see cref="PeerRegistrar.RegisterAsync"/>: the ack, or the refusal, and how many names were tried.</summary>
public sealed record Registration(string Name, AckMessage? Ack, ErrMessage? Refusal, int Tries)
{
    public bool Registered => Ack is not null;
}
