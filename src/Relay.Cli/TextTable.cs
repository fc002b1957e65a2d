using System.Text;

namespace Relay.Cli;

/// <summary>A plain left-aligned text table, columns two spaces apart, for terminal output.</summary>
internal sealed class TextTable(params string[] headers)
{
    private readonly List<string[]> _rows = [headers];

    public void Add(params string[] cells) => _rows.Add(cells);

    public override string ToString()
    {
        var widths = new int[_rows[0].Length];
        foreach (var row in _rows)
        {
            for (var i = 0; i < row.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        var builder = new StringBuilder();
        foreach (var row in _rows)
        {
            for (var i = 0; i < row.Length; i++)
            {
                var last = i == row.Length - 1;
                builder.Append(last ? row[i] : row[i].PadRight(widths[i] + 2));
            }

            builder.Append('\n');
        }

        return builder.ToString();
    }
}
