using Relay.Bench;
using Relay.Bench.Echo;

// Internal modes first: the floor's echo ends are this same executable.
if (args is ["--echo-stdio"])
{
    return EchoServers.RunStdio();
}

if (args is ["--echo-unix", var socketPath])
{
    return EchoServers.RunUnix(socketPath);
}

BenchOptions? options;
try
{
    options = BenchOptions.Parse(args);
}
catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException)
{
    Console.Error.WriteLine("relay-bench: " + ex.Message);
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

if (options is null)
{
    return 0;
}

if (options.SoakDuration is { } soak)
{
    return Relay.Bench.Soak.SoakRunner.Run(options, soak);
}

return BenchRunner.Run(options, args);
