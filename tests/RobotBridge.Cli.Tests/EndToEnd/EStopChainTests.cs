using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using RobotBridge.Cli.Bench;
using RobotBridge.Control;
using RobotBridge.Recording;
using RobotBridge.Robots;
using RobotBridge.Ros.Fetch;
using RobotBridge.Ros.Server;
using RobotBridge.Safety;
using RobotBridge.Sim.Twin;
using RobotBridge.Teleop.Brokers;
using RobotBridge.Teleop.Operator;
using RobotBridge.Teleop.Robot;
using Xunit.Abstractions;

namespace RobotBridge.Cli.Tests.EndToEnd;

/// <summary>
/// The deployment chain assembled in one process from the real parts: the MuJoCo twin in real time,
/// served under the real Fetch's names by our rosbridge server (what <c>robotbridge serve</c> runs)
/// ← RosFetch over a real WebSocket ← safety supervisor with its latch ← a 25 Hz control loop, with
/// an MQTT e-stop from an operator client through an embedded broker and the teleop bridge, and the
/// episode recorded to a bag. The "policy" is a scripted gripper motion (<see cref="GripperPulses"/>, up
/// and down through the Cartesian twist controller, as <c>robotbridge bench e2e</c> drives it).
/// <see cref="CliDeployEStopTests"/> proves the same with the shipped programs and a trained policy.
/// </summary>
[Collection(RobotBridge.Cli.Tests.Quickstart.TorchCollection.Name)] // one real-time chain at a time: on 2 cores two starve each other
public sealed class EStopChainTests(ITestOutputHelper output) : IDisposable
{
    private const string Operator = "operator";
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(40);
    private readonly string _directory = Directory.CreateTempSubdirectory("robotbridge-e2e-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Mqtt_estop_mid_episode_stops_the_arm_through_rosbridge_the_bag_shows_it_and_reset_resumes()
    {
        // --- the robot side: twin in real time behind our rosbridge server ---
        using var twin = new FetchTwin(new FetchTwinOptions
        {
            ClockMode = TwinClockMode.RealTime,
            Seed = 1,
            Camera = HeadCameraOptions.Policy(64, rate: 15),
        });
        await using var server = new RosbridgeServer(new RosbridgeServerOptions { Port = 0 });
        server.Start();
        using var node = new FetchRobotNode(server, twin);

        // --- the bridge side: RosFetch, supervisor, MQTT teleop ---
        using var robot = new RosFetch(new RosFetchOptions(server.Uri) { StaleAfter = TimeSpan.FromSeconds(1) });
        Assert.True(await robot.WaitForStateAsync(TimeSpan.FromSeconds(15)), "joint states arrive over rosbridge");
        // With engage_runstop_on_trip the twin, like a real Fetch, cuts arm power and stops publishing arm
        // joint states, so the bag could not show the controlled stop this test is about; the runstop
        // path is covered by the safety and twin tests.
        var latch = new EStopLatch(new EStopLatchOptions { AuthorisedOperators = [Operator], RobotTime = () => robot.Clock.Now });
        // The default limits, 0.2 s staleness bound included: the real parts share two cores without stalling that long.
        var config = SafetyConfig.Default() with { EngageRunstopOnTrip = false };
        using var supervisor = ModelSafety.SuperviseFetch(robot, latch, config, ownsRobot: false);

        int mqttPort = FreePort();
        var access = new TeleopAccessPolicy(
        [
            new TeleopUser("robot", "robot-pw", TeleopRole.Robot),
            new TeleopUser(Operator, "operator-pw", TeleopRole.Operator),
        ]);
        await using var broker = await EmbeddedBroker.StartAsync(new EmbeddedBrokerOptions { Access = access, Port = mqttPort });
        BrokerEndpoint Endpoint(string user) => new() { Host = "127.0.0.1", Port = mqttPort, UserName = user, Password = user + "-pw" };
        await using var teleop = new TeleopBridge(supervisor, new TeleopBridgeOptions
        {
            Broker = Endpoint("robot"),
            RobotId = "fetch",
            AuthorisedOperators = [Operator],
            HeartbeatTimeout = TimeSpan.FromSeconds(3), // a loaded 2-core box stalls heartbeats past 1 s; this test is not about the watchdog
        });
        teleop.Start();
        await teleop.WaitUntilConnectedAsync(TimeSpan.FromSeconds(10));
        await using var console = new TeleopOperator(Endpoint(Operator), "fetch", Operator);
        await console.ConnectAsync();
        using var heartbeats = new CancellationTokenSource();
        var pump = Task.Run(async () =>
        {
            while (!heartbeats.IsCancellationRequested)
            {
                try
                {
                    await console.SendHeartbeatAsync(deadman: true, heartbeats.Token);
                    await Task.Delay(50, heartbeats.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        });
        await ResetUntilReleased(console, latch);

        // --- recording and the loop ---
        string bag = Path.Combine(_directory, "episode.bag");
        DateTimeOffset origin = DateTimeOffset.UtcNow - robot.Clock.Now;
        var recorder = EpisodeRecorder.Create(bag, origin);
        latch.EventRaised += recorder.RecordSafetyEvent;
        var policy = new GripperPulses(robot.Clock, recorder);
        using var loop = new ControlLoop(supervisor, policy, new ControlLoopOptions { RateHz = 1 / Period.TotalSeconds, Camera = CameraIngestMode.Thread });
        recorder.BeginEpisode(robot.Clock.Now, new EpisodeInfo(EpisodeSource.Deploy, "ScriptedPulses", 0, null, "twin", Period));
        loop.Start();

        await Task.Delay(TimeSpan.FromSeconds(2));
        // trip mid-motion: 0.15 s into a moving phase, when the arm is at speed
        await WaitFor(() => policy.MovingSince is { } since && robot.Clock.Now - since > TimeSpan.FromSeconds(0.15), "the gripper is moving");
        Assert.False(latch.IsStopped, $"nothing but the test may stop the robot: {latch.Snapshot}");
        TimeSpan tripSent = robot.Clock.Now;
        await console.TripAsync("end-to-end test e-stop");
        await WaitFor(() => latch.IsStopped, "the MQTT e-stop reaches the latch");
        await Task.Delay(TimeSpan.FromSeconds(1));
        long droppedWhileStopped = supervisor.Counters.DroppedWhileStopped;
        await ResetUntilReleased(console, latch);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        loop.Stop();
        recorder.EndEpisode(robot.Clock.Now, terminated: false, truncated: true, reason: "test_end");
        latch.EventRaised -= recorder.RecordSafetyEvent;
        recorder.Dispose();
        await heartbeats.CancelAsync();
        await pump;
        Assert.Null(recorder.Failure);

        if (Environment.GetEnvironmentVariable("ROBOTBRIDGE_KEEP_BAG_DIR") is { Length: > 0 } keep)
        {
            File.Copy(bag, Path.Combine(keep, "estop-chain-episode.bag"), overwrite: true); // to inspect with rosbag info / rqt_bag
        }

        // --- what the bag shows (the bridge's view: joint states as RosFetch received them, stamped with the twin's measurement time mapped onto RosFetch's clock) ---
        var stop = StopAnalysis.Analyse(bag, origin, tripCause: "end-to-end test e-stop");
        Assert.NotNull(stop);
        var speeds = ArmSpeeds(bag, origin);
        double speedAtTrip = speeds.Last(s => s.Time <= stop.TripTime).Speed;
        double speedOnePeriodLater = speeds.First(s => s.Time >= stop.TripTime + Period).Speed;
        double speedThreePeriodsLater = speeds.First(s => s.Time >= stop.TripTime + 3 * Period).Speed;
        output.WriteLine($"trip sent at {tripSent.TotalSeconds:F3} s (RosFetch clock), recorded at {stop.TripTime.TotalSeconds:F3} s: {stop.TripCause}");
        output.WriteLine($"arm speed {speedAtTrip:F3} rad/s at the trip, {speedOnePeriodLater:F3} rad/s one period later; at rest (< 0.01 rad/s) {stop.StopLatency?.TotalMilliseconds:F0} ms after the trip; creep while stopped {stop.ArmTravelAfterStop:E2} rad");
        output.WriteLine($"reset at {stop.ResetTime?.TotalSeconds:F3} s, motion again at {stop.MotionResumedAt?.TotalSeconds:F3} s; supervisor {supervisor.Counters}");

        Assert.Contains("end-to-end test e-stop", stop.TripCause);
        Assert.True(speedAtTrip > 0.05, $"the trip should land mid-motion (arm at {speedAtTrip:F3} rad/s)");
        // The stop command leaves the supervisor microseconds after the trip, but reaches the twin through
        // rosbridge with the chain's command-to-motion latency (p50 26–68 ms, p99 up to 238 ms measured on
        // this loaded 2-core machine), so the states one period later are slowing only most of the time;
        // three periods later they always must be (the one-period figure is printed above). Rest then
        // follows within the braking bound of StopHeld (measured unloaded: 154 ms from 0.156 rad/s).
        Assert.True(speedThreePeriodsLater < speedAtTrip, $"three periods after the trip the arm is not slowing ({speedAtTrip:F3} → {speedOnePeriodLater:F3} → {speedThreePeriodsLater:F3} rad/s)");
        StopHeld.Assert(stop, speedAtTrip, Period);
        Assert.True(droppedWhileStopped > 0, "the loop kept commanding during the stop and the supervisor held every command back");
        Assert.NotNull(stop.ResetTime);
        Assert.True(stop.MotionResumedAt > stop.ResetTime, "after the operator's reset the policy's commands move the arm again");
        var episode = Assert.Single(EpisodeBagReader.Read(bag, origin));
        Assert.Contains(episode.SafetyEvents, e => e.Name == "estop/trip" && e.Level == RobotBridge.Recording.Messages.RosMessages.DiagnosticLevel.Error);
        Assert.Contains(episode.SafetyEvents, e => e.Name == "estop/reset");
        using (var reader = RobotBridge.Recording.Bag.BagReader.Open(bag))
        {
            Assert.NotNull(reader.FindConnection(EpisodeTopics.CameraRgb)); // camera frames made it through rosbridge into the bag
        }

        // --- figures: command-to-motion latency (policy command → first state measured moving) and camera age at the policy ---
        var latency = policy.CommandToMotion(speeds);
        Assert.True(latency.Count >= 3, $"only {latency.Count} motion onsets were measured");
        output.WriteLine($"command-to-motion latency over rosbridge: {TimingSeries.Summarize([.. latency], latency.Count)}");
        var cameraAge = policy.CameraAges();
        Assert.NotEmpty(cameraAge);
        output.WriteLine($"camera age at the policy: {TimingSeries.Summarize([.. cameraAge], cameraAge.Count)}");
        output.WriteLine($"loop: {loop.Timing.Summarize()}");
    }

    /// <summary>Fastest arm joint speed of every recorded joint state, by its measurement stamp (RosFetch clock).</summary>
    private static List<(TimeSpan Time, double Speed)> ArmSpeeds(string bag, DateTimeOffset origin)
    {
        int[] arm = [.. FetchJoints.Arm.Select(FetchJoints.IndexOf)];
        using var reader = RobotBridge.Recording.Bag.BagReader.Open(bag);
        return reader.ReadMessages(new HashSet<string> { EpisodeTopics.JointStates })
            .Select(m => RobotBridge.Recording.Messages.RosMessages.ReadJointState(m.Data.Span))
            .Select(js => (js.Stamp.ToDateTimeOffset() - origin, arm.Max(j => Math.Abs(js.Velocity[j]))))
            .ToList();
    }

    private static async Task ResetUntilReleased(TeleopOperator console, EStopLatch latch)
    {
        for (int attempt = 0; attempt < 100; attempt++)
        {
            if (!latch.IsStopped)
            {
                return;
            }
            await console.ResetAsync();
            await Task.Delay(50);
        }
        Assert.Fail($"latch did not reset: {latch.Snapshot}");
    }

    private static async Task WaitFor(Func<bool> condition, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10), $"timed out waiting until {what}");
            await Task.Delay(5);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
