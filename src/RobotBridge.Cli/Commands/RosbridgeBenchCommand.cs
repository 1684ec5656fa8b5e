using System.CommandLine;
using RobotBridge.Cli.Bench;

namespace RobotBridge.Cli.Commands;

/// <summary><c>robotbridge bench rosbridge</c>: see <see cref="RosbridgeBench"/>.</summary>
internal static class RosbridgeBenchCommand
{
    public static Command Create()
    {
        var seconds = new Option<double>("--seconds") { Description = "Measurement window per row.", DefaultValueFactory = _ => 3 }.Range(0.1, 3600, "s");
        var peer = new Option<DirectoryInfo?>("--peer") { Description = "Folder with roslib-peer.mjs and node_modules (default: tests/RobotBridge.Ros.Tests/Peer above the current folder)." };
        var command = new Command("rosbridge",
            "JointState msgs/s and 640x480 rgb8 frames/s through our client vs roslibjs, JSON vs CBOR, and publish→server command latency.\n" +
            "Example: robotbridge bench rosbridge --seconds 3");
        command.Options.Add(seconds);
        command.Options.Add(peer);
        command.SetAction(parse =>
        {
            string? directory = parse.GetValue(peer)?.FullName ?? FindPeer();
            if (directory is not null && !File.Exists(Path.Combine(directory, "roslib-peer.mjs")))
            {
                parse.InvocationConfiguration.Error.WriteLine($"robotbridge bench rosbridge: --peer {directory} has no roslib-peer.mjs");
                return Program.UsageError;
            }
            return RosbridgeBench.Run(parse.InvocationConfiguration.Output, parse.GetValue(seconds), directory);
        });
        return command;
    }

    /// <summary>The child-process half of a throughput row (not for direct use).</summary>
    public static Command CreateReceiver()
    {
        var options = new Argument<string>("options") { Description = "JSON: url, topic, type, compression, seconds." };
        var command = new Command("rosbridge-receive", "Internal: the receiving process of 'bench rosbridge'.") { Hidden = true };
        command.Arguments.Add(options);
        command.SetAction(parse => RosbridgeBench.Receive(parse.InvocationConfiguration.Output, parse.GetValue(options)!));
        return command;
    }

    private static string? FindPeer()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "tests", "RobotBridge.Ros.Tests", "Peer");
                if (File.Exists(Path.Combine(candidate, "node_modules", "roslib", "package.json")))
                {
                    return candidate;
                }
            }
        }
        return null;
    }
}
