namespace Relay.Hub;

/// <summary>
/// Every ask waiting for its reply, indexed from both ends: by target and ask id (how a reply finds it) and by asker
/// (so a leaving asker's asks can be dropped). Asks hang off connection objects, not names, so a rename carries them
/// along untouched. Not thread-safe (router lock).
/// </summary>
internal sealed class PendingAsks
{
    public int Count { get; private set; }

    /// <summary>False when the target already holds a pending ask with this id.</summary>
    public bool TryAdd(PendingAsk ask)
    {
        if (!ask.Target.AsksTo.TryAdd(ask.AskId, ask))
        {
            return false;
        }

        ask.Asker.AsksFrom.Add(ask);
        Count++;
        return true;
    }

    /// <summary>
    /// Hands every ask waiting on <paramref name="from"/> to <paramref name="to"/> (timers and askers unchanged); an ask
    /// whose id <paramref name="to"/> already holds stays behind and is returned.
    /// </summary>
    public static List<PendingAsk> MoveAll(IPeer from, IPeer to)
    {
        var left = new List<PendingAsk>();
        foreach (var ask in from.AsksTo.Values.ToList())
        {
            if (!to.AsksTo.TryAdd(ask.AskId, ask))
            {
                left.Add(ask);
                continue;
            }

            from.AsksTo.Remove(ask.AskId);
            ask.Target = to;
        }

        return left;
    }

    /// <summary>Removes and returns the ask <paramref name="askId"/> held by <paramref name="target"/>.</summary>
    public PendingAsk? Take(IPeer target, string askId)
    {
        if (!target.AsksTo.Remove(askId, out var ask))
        {
            return null;
        }

        Forget(ask);
        ask.Asker.AsksFrom.Remove(ask);
        return ask;
    }

    /// <summary>Removes <paramref name="ask"/> when it is still pending (a timer may race a reply).</summary>
    public bool Remove(PendingAsk ask)
    {
        if (!ask.Target.AsksTo.TryGetValue(ask.AskId, out var held) || !ReferenceEquals(held, ask))
        {
            return false;
        }

        ask.Target.AsksTo.Remove(ask.AskId);
        ask.Asker.AsksFrom.Remove(ask);
        Forget(ask);
        return true;
    }

    /// <summary>Removes and returns every ask waiting on <paramref name="target"/>.</summary>
    public List<PendingAsk> TakeAllTo(IPeer target)
    {
        var asks = new List<PendingAsk>(target.AsksTo.Values);
        target.AsksTo.Clear();
        foreach (var ask in asks)
        {
            ask.Asker.AsksFrom.Remove(ask);
            Forget(ask);
        }

        return asks;
    }

    /// <summary>Makes <paramref name="to"/> the asker of every ask <paramref name="from"/> is waiting on.</summary>
    public static void MoveAllFrom(IPeer from, IPeer to)
    {
        foreach (var ask in from.AsksFrom)
        {
            ask.Asker = to;
            to.AsksFrom.Add(ask);
        }

        from.AsksFrom.Clear();
    }

    /// <summary>Removes and returns every ask <paramref name="asker"/> is waiting on.</summary>
    public List<PendingAsk> TakeAllFrom(IPeer asker)
    {
        var asks = new List<PendingAsk>(asker.AsksFrom);
        asker.AsksFrom.Clear();
        foreach (var ask in asks)
        {
            ask.Target.AsksTo.Remove(ask.AskId);
            Forget(ask);
        }

        return asks;
    }

    private void Forget(PendingAsk ask)
    {
        ask.Timer?.Dispose();
        ask.Timer = null;
        Count--;
    }
}
