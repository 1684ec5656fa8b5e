using System.Text.RegularExpressions;
using RobotBridge.Tests.Launch;

namespace RobotBridge.Tests.Control;

/// <summary>
/// One owner of time: every fixed-rate loop is paced by <see cref="RobotBridge.Control.FixedRateScheduler"/>.
/// This scans the sources for the ways a loop paces itself (sleep, delay, wait handles with a timeout,
/// clock waits, spin waits, periodic timers) and fails on any outside the allowlist below, where each
/// entry says why that wait is not a hand-made fixed-rate loop. An entry that no longer matches fails
/// too, so the list cannot go stale.
/// </summary>
public sealed partial class LoopPacingOwnershipTests
{
    /// <summary>(file under src/, wait kind) → why it is allowed.</summary>
    private static readonly Dictionary<(string File, string Kind), string> Allowed = new()
    {
        [("RobotBridge/Control/FixedRateScheduler.cs", "WaitUntil")] = "the scheduler itself",
        [("RobotBridge/Control/WallClock.cs", "Thread.Sleep")] = "the scheduler's wall-clock wait",
        [("RobotBridge/Control/WallClock.cs", "SpinWait")] = "the scheduler's wall-clock wait (last stretch)",
        [("RobotBridge/Control/WallClock.cs", "WaitOne")] = "the scheduler's wall-clock wait, cancellable",
        [("RobotBridge.Sim/Twin/TwinClock.cs", "Thread.Sleep")] = "the twin's real-time clock waiting for its stepping thread",
        [("RobotBridge.Sim/Twin/TwinClock.cs", "WaitOne")] = "the twin's real-time stepping thread (a simulator, not a control loop)",
        [("RobotBridge.Sim/Tasks/TwinTaskWorld.cs", "WaitUntil")] = "episode set-up lets the twin's physics settle once (steps the simulation)",
        [("RobotBridge/Tasks/RobotTaskWorld.cs", "WaitUntil")] = "episode set-up polls for the arm to arrive home between episodes; it times no command",
        [("RobotBridge.Ros/Tasks/TwinObjectPlacement.cs", "WaitUntil")] = "episode set-up polls for the served twin to report the object where it was asked to put it (bounded, 3 s); it times no command",
        [("RobotBridge.Ros/Fetch/FetchRobotNode.cs", "WaitUntil")] = "the node's tick steps a served twin's clock up to wall time (simulation, not pacing)",
        [("RobotBridge.Ros/Fetch/RosFetch.cs", "Task.Delay")] = "waits for the first joint state (a start-up condition, bounded)",
        [("RobotBridge.Ros/Client/RosSubscription.cs", "Task.Delay")] = "a timeout raced against the first message",
        [("RobotBridge.Ros/Client/RosbridgeClient.cs", "Task.Delay")] = "connect timeout and reconnect back-off",
        [("RobotBridge.Ros/Client/RosbridgeClient.cs", "PeriodicTimer")] = "the WebSocket keep-alive every 10 s (link upkeep, times no command)",
        [("RobotBridge.Distributed/Hosting/WorkerClient.cs", "Task.Delay")] = "a rollout worker's retry while the learner is not up yet (bounded; training, not the robot)",
        [("RobotBridge.Ros/Client/RosbridgeClient.Services.cs", "Task.Delay")] = "a service call's timeout",
        [("RobotBridge.Ros/Client/ActionlibClient.cs", "Task.Delay")] = "an action goal's timeout",
        [("RobotBridge.Ros/Server/RosbridgeServer.cs", "Task.Delay")] = "shutdown waits for clients to go (bounded)",
        [("RobotBridge.Teleop/Robot/TeleopConnection.cs", "Task.Delay")] = "reconnect back-off to the broker",
        [("RobotBridge.Teleop/Brokers/MosquittoBroker.cs", "Task.Delay")] = "start-up waits for the broker process to listen",
        [("RobotBridge.Teleop/Operator/OperatorConsole.cs", "PeriodicTimer")] = "the operator's client program (another machine), not the robot side",
        [("RobotBridge.Learning/Deployment/IStopRecovery.cs", "WaitOne")] = "waits for a human to reset the e-stop",
        [("RobotBridge.Cli/Commands/ServeCommand.cs", "WaitOne")] = "waits for Ctrl+C or --seconds",
        [("RobotBridge.Cli/Commands/TeleopCommand.cs", "Task.Delay")] = "waits for Ctrl+C or --seconds",
        [("RobotBridge.Cli/Commands/QuickstartCommand.cs", "Task.Delay")] = "the demo operator retries its reset",
        [("RobotBridge.Cli/Commands/QuickstartCommand.cs", "Thread.Sleep")] = "the demo measures how fast its e-stop lands",
        [("RobotBridge.Cli/Commands/QuickstartCommand.cs", "WaitOne")] = "the demo operator's heartbeat sender (operator side)",
        [("RobotBridge.Cli/Bench/EndToEndBench.cs", "Thread.Sleep")] = "bench: measurement duration",
        [("RobotBridge.Cli/Bench/EndToEndBench.cs", "WaitOne")] = "bench: an observer sampling states",
        [("RobotBridge.Cli/Bench/SupervisorStopLatencyBench.cs", "Thread.Sleep")] = "bench: random trip times",
        [("RobotBridge.Cli/Bench/EStopLatencyBench.cs", "Task.Delay")] = "bench: gaps between trips",
        [("RobotBridge.Cli/Bench/EStopLatencyBench.cs", "PeriodicTimer")] = "bench: the operator's heartbeats",
        [("RobotBridge.Cli/Bench/WebEStopLatencyBench.cs", "Task.Delay")] = "bench: waits for the reset and the page between clicks",
        [("RobotBridge.Cli/Bench/RosbridgeBench.cs", "Thread.Sleep")] = "bench: load generation and measurement windows",
        [("RobotBridge.Cli/Bench/RospyRateBench.cs", "Thread.Sleep")] = "bench: waits for the rospy process",
        [("RobotBridge.Cli/Bench/ServeCameraBench.cs", "Thread.Sleep")] = "bench: warm-up and measurement windows (a client counting serve's joint states)",
        [("RobotBridge.Cli/Bench/AprilTagBench.cs", "WaitUntil")] = "bench: steps the twin to the next camera frame",
        [("RobotBridge.Cli/Commands/VisionCommand.cs", "WaitUntil")] = "vision check: waits for the next camera frame to print (a diagnostic, commands nothing)",
        [("RobotBridge.Cli/Commands/VisionCommand.cs", "Thread.Sleep")] = "vision check: waits up to 3 s for the first camera_info (start-up, bounded)",
        [("RobotBridge.Benchmarks/SimTwinBenchmarks.cs", "WaitUntil")] = "benchmark: steps the twin",
        [("RobotBridge.Sim/Benchmarks/TwinThroughput.cs", "WaitUntil")] = "benchmark: steps the twin",
    };

    [GeneratedRegex(@"\bThread\.Sleep\s*\(|\bTask\.Delay\s*\(|\.WaitUntil\s*\(|\bSpinWait\b|\.WaitOne\s*\(|\bPeriodicTimer\b|\bSleep\s*\(")]
    private static partial Regex Wait();

    private static string Kind(string match) => match switch
    {
        _ when match.StartsWith("Thread.Sleep", StringComparison.Ordinal) => "Thread.Sleep",
        _ when match.StartsWith("Task.Delay", StringComparison.Ordinal) => "Task.Delay",
        _ when match.Contains("WaitUntil", StringComparison.Ordinal) => "WaitUntil",
        _ when match.Contains("WaitOne", StringComparison.Ordinal) => "WaitOne",
        _ when match.StartsWith("SpinWait", StringComparison.Ordinal) => "SpinWait",
        _ when match.StartsWith("PeriodicTimer", StringComparison.Ordinal) => "PeriodicTimer",
        _ => "Thread.Sleep",
    };

    [Fact]
    public void No_source_outside_the_scheduler_paces_a_loop_with_its_own_wait()
    {
        string src = LaunchConfig.RepositoryFile("src");
        var found = new HashSet<(string, string)>();
        var offenders = new List<string>();
        foreach (string file in Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(src, file).Replace('\\', '/');
            if (relative.Contains("/obj/", StringComparison.Ordinal) || relative.Contains("/bin/", StringComparison.Ordinal))
            {
                continue;
            }
            string[] lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                string code = lines[i].TrimStart();
                if (code.StartsWith("//", StringComparison.Ordinal) || code.StartsWith("///", StringComparison.Ordinal) || code.StartsWith('*'))
                {
                    continue;
                }
                foreach (Match m in Wait().Matches(lines[i]))
                {
                    if (m.Value.StartsWith("Sleep", StringComparison.Ordinal) && !lines[i].Contains("Thread.", StringComparison.Ordinal) && relative.EndsWith("WallClock.cs", StringComparison.Ordinal))
                    {
                        continue; // WallClock's own cancellable Sleep helper
                    }
                    var key = (relative, Kind(m.Value.TrimStart('.')));
                    found.Add(key);
                    if (!Allowed.ContainsKey(key))
                    {
                        offenders.Add($"{relative}:{i + 1}: {lines[i].Trim()}");
                    }
                }
            }
        }
        Assert.True(offenders.Count == 0,
            "these waits pace a loop outside the FixedRateScheduler (use the scheduler, or allow them here with a reason):\n" + string.Join("\n", offenders));
        var stale = Allowed.Keys.Where(k => !found.Contains(k)).Select(k => $"{k.File} ({k.Kind})").ToList();
        Assert.True(stale.Count == 0, "allowlist entries that match nothing any more (remove them):\n" + string.Join("\n", stale));
    }

    [Fact]
    public void The_scan_finds_a_hand_made_loop()
    {
        // Guard against a vacuous pass: the pattern must see the common shapes.
        string[] shapes =
        [
            "while (true) { Work(); Thread.Sleep(10); }",
            "await Task.Delay(period, token);",
            "clock.WaitUntil(next);",
            "_stop.Token.WaitHandle.WaitOne(5);",
            "Thread.SpinWait(20);",
            "using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));",
        ];
        Assert.All(shapes, s => Assert.Matches(Wait(), s));
    }
}
