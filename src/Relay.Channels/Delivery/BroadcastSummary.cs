using System.Text;

namespace Relay.Channels.Delivery;

/// <summary>
/// The end of a broadcast this session sent: who answered, who held the question for their user's approval, and who
/// did not answer (with the reason). Sent once, after the last target ended or the deadline passed.
/// </summary>
internal sealed record BroadcastSummary(
    string BroadcastId,
    IReadOnlyList<string> Answered,
    IReadOnlyList<string> Held,
    IReadOnlyList<(string Name, string Code)> Unanswered)
{
    /// <summary>One short paragraph for the model.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        text.Append("Broadcast ").Append(BroadcastId).Append(" is complete. ");
        text.Append("Answered: ").Append(Answered.Count == 0 ? "nobody" : string.Join(", ", Answered)).Append('.');
        if (Held.Count > 0)
        {
            text.Append(" Held for their user's approval: ").Append(string.Join(", ", Held)).Append('.');
        }

        if (Unanswered.Count > 0)
        {
            text.Append(" No answer: ").Append(string.Join(", ", Unanswered.Select(u => $"{u.Name} ({u.Code})"))).Append('.');
        }

        return text.ToString();
    }
}
