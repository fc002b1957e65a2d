using Relay.Runtime.Client;

namespace Relay.Channels;

/// <summary>
/// The channel's name state: the base name (the first choice, or the latest name given by a rename) and the name it
/// holds at the hub. A reconnect tries the held name first, then base, base-2, base-3, … (<see cref="Candidates"/>).
/// </summary>
internal sealed class LinkNames(string baseName)
{
    private readonly Lock _gate = new();
    private string _base = baseName;
    private string? _name;

    /// <summary>The registered name, or the name tried first while not registered.</summary>
    public string Current
    {
        get
        {
            lock (_gate)
            {
                return _name ?? _base;
            }
        }
    }

    /// <summary>The names to register under, in order (no bound: a channel always finds a name).</summary>
    public IEnumerable<string> Candidates()
    {
        lock (_gate)
        {
            return PeerRegistrar.Candidates(_name ?? _base, _base);
        }
    }

    public void Registered(string name)
    {
        lock (_gate)
        {
            _name = name;
        }
    }

    /// <summary>A rename the hub acked: it is also the base for later registrations. Returns the old name.</summary>
    public string? Renamed(string name)
    {
        lock (_gate)
        {
            var old = _name;
            _name = name;
            _base = name;
            return old;
        }
    }

    /// <summary>Makes <paramref name="name"/> the first name tried at the next registration (used while the hub is away).</summary>
    public void Prefer(string name) => Renamed(name);
}
