using Relay.Tests.Infrastructure;

namespace Relay.Tests.Nats;

/// <summary>
/// A throwaway certificate authority made with <c>openssl</c>, as docs/across-machines.md's worked example makes it
/// (an Ed25519 CA and server certificate whose subjectAltName is the server's address), plus one client certificate
/// per host for a server that verifies its clients. Client keys are ECDSA P-256: .NET cannot load an Ed25519 private
/// key for a client certificate.
/// </summary>
internal sealed class TlsFiles
{
    private TlsFiles(string dir)
    {
        Dir = dir;
    }

    /// <summary>Why the TLS tests cannot run here (no openssl), or null when they can.</summary>
    public static string? SkipReason { get; } = FindOpenSsl() is null
        ? "OPENSSL MISSING: install Debian's openssl (test.sh does) to run the NATS TLS tests"
        : null;

    public string Dir { get; }

    public string CaFile => Path.Combine(Dir, "ca.pem");

    public string ServerCert => Path.Combine(Dir, "server.pem");

    public string ServerKey => Path.Combine(Dir, "server.key");

    public string ClientCert(string host) => Path.Combine(Dir, host + ".pem");

    public string ClientKey(string host) => Path.Combine(Dir, host + ".key");

    /// <summary>Makes the CA, a server certificate for <paramref name="serverAddress"/> and a client certificate per host in <paramref name="dir"/>.</summary>
    public static async Task<TlsFiles> CreateAsync(string dir, string serverAddress, IEnumerable<string> hosts)
    {
        Directory.CreateDirectory(dir);
        var files = new TlsFiles(dir);
        await OpenSslAsync(dir, "req", "-x509", "-newkey", "ed25519", "-nodes", "-days", "825", "-subj", "/CN=relay-ca", "-keyout", "ca.key", "-out", "ca.pem");
        await OpenSslAsync(dir, "req", "-newkey", "ed25519", "-nodes", "-subj", "/CN=n1", "-keyout", "server.key", "-out", "server.csr");
        await File.WriteAllTextAsync(Path.Combine(dir, "server.ext"), $"subjectAltName=IP:{serverAddress}\n");
        await OpenSslAsync(dir, "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "825", "-extfile", "server.ext", "-out", "server.pem");
        foreach (var host in hosts)
        {
            await OpenSslAsync(dir, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=" + host, "-keyout", host + ".key", "-out", host + ".csr");
            await OpenSslAsync(dir, "x509", "-req", "-in", host + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "825", "-out", host + ".pem");
        }

        return files;
    }

    /// <summary>A nats-server configuration: TLS on <paramref name="listen"/>, clients verified against the CA, JetStream.</summary>
    public string ServerConfig(string listen, string storeDir) => $$"""
        listen: {{listen}}
        tls: { cert_file: "{{ServerCert}}", key_file: "{{ServerKey}}", ca_file: "{{CaFile}}", verify: true }
        jetstream: { store_dir: "{{storeDir}}" }
        """;

    /// <summary>The hub options of <paramref name="host"/>: the CA and its client certificate and key.</summary>
    public IReadOnlyList<string> HubArgs(string host) =>
        ["--nats-tls-ca", CaFile, "--nats-tls-cert", ClientCert(host), "--nats-tls-key", ClientKey(host)];

    private static async Task OpenSslAsync(string dir, params string[] args)
    {
        await using var process = TrackedProcess.Start(FindOpenSsl() ?? "openssl", args, workingDirectory: dir);
        var code = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        if (code != 0)
        {
            throw new InvalidOperationException($"openssl {string.Join(' ', args)} failed ({code}): {process.Stderr}");
        }
    }

    private static string? FindOpenSsl() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "openssl"))
            .FirstOrDefault(File.Exists);
}
