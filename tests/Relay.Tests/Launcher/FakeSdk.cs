namespace Relay.Tests.Launcher;

/// <summary>
/// A <c>dotnet</c> on PATH that stands in for the SDK's <c>dotnet publish</c> (a real build takes minutes): it records
/// each call in <c>calls</c>, waits while the test holds it, then fails with an error or "publishes" a small relay
/// script into the <c>-o</c> folder.
/// </summary>
public sealed class FakeSdk
{
    public FakeSdk(string dir)
    {
        Dir = dir;
        Directory.CreateDirectory(dir);
        var script = Path.Combine(dir, "dotnet");
        File.WriteAllText(script, """
            #!/bin/sh
            echo "$*" >>"$FAKE_SDK_DIR/calls"
            while [ -e "$FAKE_SDK_DIR/hold" ]; do sleep 0.1; done
            if [ -e "$FAKE_SDK_DIR/fail" ]; then echo "error NETSDK0000: $(cat "$FAKE_SDK_DIR/fail")" >&2; exit 1; fi
            while [ $# -gt 0 ]; do [ "$1" = -o ] && out=$2; shift; done
            mkdir -p "$out" && printf '#!/bin/sh\necho "built relay $*"\n' >"$out/relay" && chmod +x "$out/relay"
            """.Replace("$FAKE_SDK_DIR", dir, StringComparison.Ordinal));
        File.SetUnixFileMode(script, (UnixFileMode)Convert.ToInt32("755", 8));
    }

    public string Dir { get; }

    public IReadOnlyList<string> Calls => File.Exists(Path.Combine(Dir, "calls")) ? File.ReadAllLines(Path.Combine(Dir, "calls")) : [];

    public void Hold() => File.WriteAllText(Path.Combine(Dir, "hold"), string.Empty);

    public void Release() => File.Delete(Path.Combine(Dir, "hold"));

    /// <summary>Lets a held build go on and waits until the launcher's build under <paramref name="plugin"/> is over.</summary>
    public void ReleaseAndWait(string plugin)
    {
        Release();
        var lockDir = Path.Combine(plugin, "artifacts", "launcher", "build.lock");
        for (var i = 0; i < 300 && Directory.Exists(lockDir); i++)
        {
            Thread.Sleep(100);
        }
    }

    public void Fail(string error) => File.WriteAllText(Path.Combine(Dir, "fail"), error);
}
