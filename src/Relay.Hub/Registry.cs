namespace Relay.Hub;

/// <summary>Live peers by name. First wins: a name is held until its peer renames or leaves. Not thread-safe (router lock).</summary>
internal sealed class Registry
{
    private readonly Dictionary<string, IPeer> _byName = new(StringComparer.Ordinal);

    public int Count => _byName.Count;

    public IEnumerable<IPeer> Peers => _byName.Values;

    public bool TryGet(string name, out IPeer peer) => _byName.TryGetValue(name, out peer!);

    /// <summary>Claims <paramref name="name"/> for <paramref name="peer"/>; false when another peer holds it.</summary>
    public bool TryAdd(string name, IPeer peer)
    {
        if (!_byName.TryAdd(name, peer))
        {
            return false;
        }

        peer.Name = name;
        return true;
    }

    /// <summary>Moves <paramref name="peer"/> to <paramref name="newName"/>; false when another peer holds it.</summary>
    public bool TryRename(IPeer peer, string newName)
    {
        if (peer.Name == newName)
        {
            return true;
        }

        if (!_byName.TryAdd(newName, peer))
        {
            return false;
        }

        _byName.Remove(peer.Name!);
        peer.Name = newName;
        return true;
    }

    public void Remove(IPeer peer)
    {
        if (peer.Name is { } name && _byName.TryGetValue(name, out var holder) && ReferenceEquals(holder, peer))
        {
            _byName.Remove(name);
        }
    }
}
