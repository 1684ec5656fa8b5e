using System.Diagnostics;
using System.Text.Json;

namespace RobotBridge.Ros.Tests.Rosbridge;

/// <summary>Runs roslibjs (npm roslib 2.1.0, installed by .ci/setup) as a separate Node.js process.</summary>
internal static class RoslibPeer
{
    public static string Directory
    {
        get
        {
            string peer = RepoPaths.Of("tests", "RobotBridge.Ros.Tests", "Peer");
            if (!File.Exists(Path.Combine(peer, "node_modules", "roslib", "package.json")))
            {
                throw new InvalidOperationException($"roslib is not installed in {peer}: run bash .ci/setup (npm ci there)");
            }
            return peer;
        }
    }

    public static async Task<JsonElement> RunAsync(string mode, object options, TimeSpan timeout)
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("roslib-peer.mjs");
        start.ArgumentList.Add(mode);
        start.ArgumentList.Add(JsonSerializer.Serialize(options));
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start node");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"roslib peer '{mode}' did not finish in {timeout}; stderr: {await stderr}");
        }
        string output = (await stdout).Trim();
        if (process.ExitCode != 0 || output.Length == 0)
        {
            throw new InvalidOperationException($"roslib peer '{mode}' exited {process.ExitCode}: {output} {await stderr}");
        }
        return JsonDocument.Parse(output.Split('\n')[^1]).RootElement.Clone();
    }
}
