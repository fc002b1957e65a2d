namespace Relay.Bench.Soak;

/// <summary>The ledger's totals at the end of a run.</summary>
internal sealed class SoakTally
{
    public long Asks { get; set; }

    public long Accepted { get; set; }

    public long Replies { get; set; }

    public long Timeouts { get; set; }

    public long PeerGone { get; set; }

    public long Abandoned { get; set; }

    public long Lost { get; set; }

    public long Duplicated { get; set; }

    public Dictionary<string, long> Refused { get; } = new(StringComparer.Ordinal);

    public List<string> Examples { get; } = [];
}
