using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Relay.Bench.Results;

/// <summary>Facts about the run printed above the tables and stored in the JSON.</summary>
internal sealed record RunInfo(string Command, string Mode, int Runs, string RelayPath, DateTimeOffset Started, TimeSpan Elapsed, string Machine, string LoadBefore, string LoadAfter, IReadOnlyList<string> Failures);

/// <summary>Writes the Markdown tables and the JSON document.</summary>
internal static class ReportWriter
{
    public static string Markdown(BenchResults results, RunInfo info)
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"relay benchmark, {info.Mode}: every figure is the median of {info.Runs} run(s), (min–max) over runs.");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"- command: `{info.Command}`");
        md.AppendLine(CultureInfo.InvariantCulture, $"- machine: {info.Machine}; load average before {info.LoadBefore}, after {info.LoadAfter}");
        md.AppendLine(CultureInfo.InvariantCulture, $"- relay: `{info.RelayPath}`; started {info.Started:yyyy-MM-dd HH:mm} UTC, took {info.Elapsed.TotalSeconds:0} s");
        md.AppendLine("- clients: the bench's minimal JSON-RPC stdio client (one blocking reader thread per process); `RELAY_PUSH_DELAY_MS=0`, `RELAY_DELIVERY=channel`, `RELAY_LOG_LEVEL=info`, temp data dir and scratch HOME");
        if (info.Failures.Count > 0)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"- **failures**: {string.Join("; ", info.Failures)}");
        }

        md.AppendLine();
        md.AppendLine("| figure | original | goal | relay median (min–max) | ratio to floor | met? |");
        md.AppendLine("|---|---|---|---|---|---|");
        foreach (var figure in Figures.All.Where(f => f.Section == Section.Goals && results.Has(f.Key)))
        {
            var met = results.Met(figure) switch
            {
                true => "yes",
                false => "**no**",
                null => "",
            };
            md.AppendLine(CultureInfo.InvariantCulture, $"| {figure.Title} | {figure.Original} | {figure.GoalText} | {Value(results, figure)} | {Format.Ratio(results.FloorRatio(figure))} | {met} |");
        }

        WriteSection(md, results, Section.Floor, "Floor, measured in the same run (256-byte JSON lines)");
        WriteSection(md, results, Section.Sdk, "Harness check: the same asks with the SDK's McpClient + StdioClientTransport as the client");
        WriteSection(md, results, Section.HubOnly, "Hub only: raw Unix-socket peers through the hub (no channels, no MCP)");
        WriteSection(md, results, Section.CrossHost, "Across hosts: one nats-server -js and two hubs (hosts ha, hb) on loopback, raw socket peers; the floors of the cross-host round trip and throughput; the round trip through the stream only (two more hubs, sa and sb, live path off)");
        WriteSection(md, results, Section.Detail, "Details");
        return md.ToString();
    }

    private static void WriteSection(StringBuilder md, BenchResults results, Section section, string heading)
    {
        var figures = Figures.All.Where(f => f.Section == section && results.Has(f.Key)).ToList();
        if (figures.Count == 0)
        {
            return;
        }

        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"{heading}:");
        md.AppendLine();
        md.AppendLine("| figure | median (min–max) | ratio to floor |");
        md.AppendLine("|---|---|---|");
        foreach (var figure in figures)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {figure.Title} | {Value(results, figure)} | {Format.Ratio(results.FloorRatio(figure))} |");
        }
    }

    private static string Value(BenchResults results, FigureDef figure)
    {
        var median = Format.Number(results.Median(figure.Key), figure.Unit);
        if (results.RunsOf(figure.Key).Count < 2)
        {
            return median;
        }

        return $"{median} ({Format.Number(results.Min(figure.Key), "")}–{Format.Number(results.Max(figure.Key), "")})";
    }

    public static byte[] Json(BenchResults results, RunInfo info)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("command", info.Command);
            w.WriteString("mode", info.Mode);
            w.WriteNumber("runs", info.Runs);
            w.WriteString("relay", info.RelayPath);
            w.WriteString("started", info.Started);
            w.WriteNumber("elapsed_s", Math.Round(info.Elapsed.TotalSeconds, 1));
            w.WriteString("machine", info.Machine);
            w.WriteString("load_before", info.LoadBefore);
            w.WriteString("load_after", info.LoadAfter);
            w.WriteStartArray("failures");
            foreach (var failure in info.Failures)
            {
                w.WriteStringValue(failure);
            }

            w.WriteEndArray();
            w.WriteStartArray("figures");
            foreach (var figure in Figures.All.Where(f => results.Has(f.Key)))
            {
                w.WriteStartObject();
                w.WriteString("key", figure.Key);
                w.WriteString("title", figure.Title);
                w.WriteString("unit", figure.Unit);
                w.WriteString("section", figure.Section.ToString().ToLowerInvariant());
                if (figure.Original.Length > 0)
                {
                    w.WriteString("original", figure.Original);
                }

                if (figure.Goal is { } goal)
                {
                    w.WriteNumber("goal", goal);
                    w.WriteBoolean("higher_is_better", figure.HigherIsBetter);
                }

                if (figure.MaxFloorRatio is { } maxRatio)
                {
                    w.WriteNumber("max_floor_ratio", maxRatio);
                }

                Number(w, "median", results.Median(figure.Key));
                Number(w, "min", results.Min(figure.Key));
                Number(w, "max", results.Max(figure.Key));
                w.WriteStartArray("runs");
                foreach (var value in results.RunsOf(figure.Key).Values)
                {
                    w.WriteNumberValue(Math.Round(value, 4));
                }

                w.WriteEndArray();
                if (figure.FloorKey is { } floorKey)
                {
                    w.WriteString("floor", floorKey);
                    Number(w, "floor_ratio", results.FloorRatio(figure));
                }

                if (results.Met(figure) is { } met)
                {
                    w.WriteBoolean("met", met);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("distributions");
            foreach (var (run, key, d) in results.Distributions)
            {
                w.WriteStartObject();
                w.WriteNumber("run", run);
                w.WriteString("key", key);
                w.WriteNumber("count", d.Count);
                Number(w, "p50", d.P50);
                Number(w, "p99", d.P99);
                Number(w, "mean", d.Mean);
                Number(w, "min", d.Min);
                Number(w, "max", d.Max);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return stream.ToArray();
    }

    private static void Number(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsNaN(value) || double.IsInfinity(value))
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteNumber(name, Math.Round(value, 4));
        }
    }
}
