using System.Diagnostics;

namespace RobotBridge.Cli.Bench;

/// <summary>A single-threaded CPU hog in its own process (sha256sum of /dev/zero), the "other core
/// loaded" condition of the loop benchmark. Killed (by its own pid) on dispose.</summary>
internal sealed class CpuLoad : IDisposable
{
    private readonly Process _process;

    public CpuLoad()
    {
        _process = Process.Start(new ProcessStartInfo("sha256sum", "/dev/zero")
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("could not start sha256sum for the CPU load");
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit();
            }
        }
        finally
        {
            _process.Dispose();
        }
    }
}
