using System.Globalization;

namespace Relay.Bench;

/// <summary>Command line of <c>relay-bench</c>. Sizes shrink in <c>--smoke</c> mode so CI finishes in seconds.</summary>
internal sealed class BenchOptions
{
    public required string RelayPath { get; init; }

    public int Runs { get; init; } = 3;

    public bool Smoke { get; init; }

    public string? MdPath { get; init; }

    public string? JsonPath { get; init; }

    /// <summary>Only the scenarios whose name contains one of these (all when empty).</summary>
    public IReadOnlyList<string> Only { get; init; } = [];

    /// <summary>Skip the SDK McpClient comparison (it needs the JIT warm and costs a few seconds).</summary>
    public bool NoSdk { get; init; }

    public bool Verbose { get; init; }

    /// <summary><c>--soak DURATION</c>: run the soak (Soak/SoakRunner) instead of the benchmark.</summary>
    public TimeSpan? SoakDuration { get; init; }

    /// <summary><c>--soak-peers N</c>: peers in the soak (default 100).</summary>
    public int SoakPeers { get; init; } = 100;

    /// <summary><c>--soak-channels N</c>: of the soak's peers, how many are real <c>relay mcp</c> channels (default 4).</summary>
    public int SoakChannels { get; init; } = 4;

    /// <summary>Extra environment for every relay process (<c>--env K=V</c>), for trying runtime knobs without a rebuild.</summary>
    public IReadOnlyDictionary<string, string> ExtraEnv { get; init; } = new Dictionary<string, string>();

    public int ColdStartSamples => Smoke ? 2 : 7;

    public int ColdStartWithHubSamples => Smoke ? 1 : 5;

    public int Warmup => Smoke ? 20 : 500;

    public int SequentialAsks => Smoke ? 50 : 2_000;

    public int SdkAsks => Smoke ? 20 : 1_000;

    public int FloorPings => Smoke ? 100 : 5_000;

    public TimeSpan ThroughputWindow => Smoke ? TimeSpan.FromSeconds(0.5) : TimeSpan.FromSeconds(5);

    public const int Outstanding = 8;

    public int RssAsks => Smoke ? 200 : 10_000;

    public TimeSpan IdleWindow => Smoke ? TimeSpan.FromSeconds(0.5) : TimeSpan.FromSeconds(5);

    public IReadOnlyList<int> BroadcastSizes => Smoke ? [10] : [10, 50, 100];

    public int BroadcastsPerSize => Smoke ? 2 : 7;

    public IReadOnlyList<int> HubRssPeers => Smoke ? [2, 100] : [2, 100, 500];

    public int HubOnlyAsks => Smoke ? 100 : 5_000;

    /// <summary>Sequential asks per figure in <c>crosshost</c> (local, NATS floor, cross-host).</summary>
    public int CrossHostAsks => Smoke ? 30 : 2_000;

    /// <summary>
    /// Sequential asks for the stream-only round trip in <c>crosshost</c>: fewer than <see cref="CrossHostAsks"/>
    /// because each takes ~2 ms and the scenario already spends a second throughput window on the NATS floor.
    /// </summary>
    public int CrossHostStreamAsks => Smoke ? 30 : 500;

    /// <summary>Unmeasured asks before the stream-only round trips (their hubs are fresh).</summary>
    public int CrossHostStreamWarmup => Smoke ? 20 : 100;

    /// <summary>Channels that must re-register after a hub SIGKILL (<c>restart</c>).</summary>
    public int RestartChannels => Smoke ? 5 : 20;

    /// <summary>Hub SIGKILLs per run (<c>restart</c>); the run's figure is their median.</summary>
    public int RestartKills => Smoke ? 1 : 5;

    public const string Usage = """
        relay-bench: measures relay as Claude Code sees it (MCP clients driving real `relay mcp` processes and a real hub).

        usage: relay-bench [--relay PATH] [--runs N] [--smoke] [--md FILE] [--out FILE] [--only NAME[,NAME]] [--no-sdk] [-v]
          --relay PATH   the Native AOT relay binary (default $RELAY_BIN, else artifacts/publish/relay)
          --runs N       runs per figure; figures are the median of the runs with min/max (default 3; 1 with --smoke)
          --smoke        a few iterations of every figure, seconds not minutes (CI); never a timed assertion
          --md FILE      also write the Markdown table to FILE
          --out FILE     write every figure and raw summary as JSON to FILE
          --only NAMES   run only these scenarios: floor, cold, memory, latency, broadcast, hubrss, hubonly, restart,
                         crosshost (needs nats-server on PATH; skipped with a message otherwise)
          --no-sdk       skip the SDK McpClient comparison rows
          --env K=V      extra environment for every relay process (repeatable), e.g. to try a runtime knob
          -v             progress details on stderr
          --soak DUR     instead of the benchmark: N peers ask, reply, broadcast and churn against one hub for DUR
                         (60s, 10m); every ask must end exactly once, hub RSS and fds must stay flat; exit 1 if not
          --soak-peers N peers in the soak (default 100)
          --soak-channels N  of those, real relay mcp channels whose RSS and fds are tracked too (default 4)
        internal modes (the bench spawns itself for the floor):
          --echo-stdio         echo stdin lines to stdout
          --echo-unix SOCKET   listen on SOCKET and echo lines on the first connection
        """;

    /// <summary>Parses the arguments; returns null and prints why when they are wrong.</summary>
    public static BenchOptions? Parse(string[] args)
    {
        string? relay = null;
        var runs = -1;
        var smoke = false;
        string? md = null;
        string? json = null;
        var only = new List<string>();
        var noSdk = false;
        var verbose = false;
        var extraEnv = new Dictionary<string, string>();
        TimeSpan? soak = null;
        var soakPeers = 100;
        var soakChannels = 4;
        for (var i = 0; i < args.Length; i++)
        {
            string Next()
            {
                if (i + 1 >= args.Length)
                {
                    throw new ArgumentException($"{args[i]} needs a value");
                }

                return args[++i];
            }

            switch (args[i])
            {
                case "--relay":
                    relay = Next();
                    break;
                case "--runs":
                    runs = int.Parse(Next(), NumberStyles.Integer, CultureInfo.InvariantCulture);
                    break;
                case "--smoke":
                    smoke = true;
                    break;
                case "--md":
                    md = Next();
                    break;
                case "--out":
                    json = Next();
                    break;
                case "--only":
                    only.AddRange(Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                    break;
                case "--no-sdk":
                    noSdk = true;
                    break;
                case "--env":
                    var pair = Next().Split('=', 2);
                    if (pair.Length != 2 || pair[0].Length == 0)
                    {
                        throw new ArgumentException("--env needs NAME=VALUE");
                    }

                    extraEnv[pair[0]] = pair[1];
                    break;
                case "--soak":
                    soak = ParseDuration(Next());
                    break;
                case "--soak-peers":
                    soakPeers = int.Parse(Next(), NumberStyles.Integer, CultureInfo.InvariantCulture);
                    if (soakPeers < 2)
                    {
                        throw new ArgumentException("--soak-peers needs at least 2");
                    }

                    break;
                case "--soak-channels":
                    soakChannels = int.Parse(Next(), NumberStyles.Integer, CultureInfo.InvariantCulture);
                    if (soakChannels < 0)
                    {
                        throw new ArgumentException("--soak-channels cannot be negative");
                    }

                    break;
                case "-v" or "--verbose":
                    verbose = true;
                    break;
                case "-h" or "--help":
                    Console.Out.WriteLine(Usage);
                    return null;
                default:
                    throw new ArgumentException($"unknown argument {args[i]}");
            }
        }

        relay ??= Environment.GetEnvironmentVariable("RELAY_BIN") is { Length: > 0 } fromEnv ? fromEnv : Path.Combine("artifacts", "publish", "relay");
        relay = Path.GetFullPath(relay);
        if (!File.Exists(relay))
        {
            throw new ArgumentException($"no relay binary at {relay}; publish it first: dotnet publish src/Relay.Cli -c Release -r linux-x64 -o artifacts/publish");
        }

        return new BenchOptions
        {
            RelayPath = relay,
            Runs = runs > 0 ? runs : smoke ? 1 : 3,
            Smoke = smoke,
            MdPath = md,
            JsonPath = json,
            Only = only,
            NoSdk = noSdk,
            Verbose = verbose,
            ExtraEnv = extraEnv,
            SoakDuration = soak,
            SoakPeers = soakPeers,
            SoakChannels = soakChannels,
        };
    }

    /// <summary><c>90</c> or <c>90s</c>, <c>10m</c>, <c>1h</c>.</summary>
    private static TimeSpan ParseDuration(string text)
    {
        var unit = text[^1] switch
        {
            's' => TimeSpan.FromSeconds(1),
            'm' => TimeSpan.FromMinutes(1),
            'h' => TimeSpan.FromHours(1),
            _ => TimeSpan.Zero,
        };
        var number = unit == TimeSpan.Zero ? text : text[..^1];
        var value = double.Parse(number, NumberStyles.Float, CultureInfo.InvariantCulture);
        var duration = (unit == TimeSpan.Zero ? TimeSpan.FromSeconds(1) : unit) * value;
        return duration > TimeSpan.Zero ? duration : throw new ArgumentException("--soak needs a positive duration");
    }

    public bool Wants(string scenario) => Only.Count == 0 || Only.Any(o => scenario.Contains(o, StringComparison.OrdinalIgnoreCase));
}
