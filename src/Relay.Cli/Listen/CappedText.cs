using System.Text;

namespace Relay.Cli.Listen;

/// <summary>Collects a stream's text up to a byte cap, reading (and dropping) the rest so the writer never blocks.</summary>
internal sealed class CappedText(int maxBytes)
{
    private readonly StringBuilder _text = new();
    private readonly Lock _gate = new();
    private int _bytes;

    public async Task ReadAllAsync(StreamReader reader)
    {
        var buffer = new char[8192];
        try
        {
            int read;
            while ((read = await reader.ReadAsync(buffer)) > 0)
            {
                lock (_gate)
                {
                    var room = maxBytes - _bytes;
                    if (room <= 0)
                    {
                        continue;
                    }

                    var take = read;
                    while (take > 0 && Encoding.UTF8.GetByteCount(buffer, 0, take) > room)
                    {
                        take = Math.Min(take - 1, room);
                    }

                    _text.Append(buffer, 0, take);
                    _bytes += Encoding.UTF8.GetByteCount(buffer, 0, take);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
        }
    }

    public override string ToString()
    {
        lock (_gate)
        {
            return _text.ToString();
        }
    }
}
