using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using RobotBridge.Cli.Tests.Learning;
using RobotBridge.Recording;
using RobotBridge.Recording.Bag;
using RobotBridge.Recording.Messages;
using RobotBridge.Robots;
using RobotBridge.Teleop.Brokers;
using RobotBridge.Teleop.Operator;
using Xunit.Abstractions;

namespace RobotBridge.Cli.Tests.EndToEnd;

/// <summary>
/// Issue 10's end-to-end proof with the shipped programs, each its own process: <c>robotbridge serve</c>
/// (the MuJoCo twin in real time behind our rosbridge server) ← <c>robotbridge deploy</c> of a Reach
/// policy trained here, through RosFetch, behind the safety supervisor, with its embedded MQTT broker
/// and <c>--record</c> ← an operator (this test, through MQTT) who resets the e-stop so deploy can
/// start, presses it while the arm moves, and resets it again. The bag deploy wrote shows the stop;
/// deploy goes on with the next episode after the reset.
/// </summary>
[Collection(RobotBridge.Cli.Tests.Quickstart.TorchCollection.Name)] // the collection trains the Reach policy
public sealed class CliDeployEStopTests(TrainedReachPolicy reach, ITestOutputHelper output) : IDisposable
{
    private const string Operator = "operator"; // the shipped safety config authorises this operator id
    private const string TripCause = "cli e2e: operator pressed the e-stop";
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(40);
    private static readonly int[] Arm = [.. FetchJoints.Arm.Select(FetchJoints.IndexOf)];
    private readonly string _dir = Directory.CreateTempSubdirectory("rb-cli-e2e-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Serve_and_deploy_processes_stop_on_an_MQTT_e_stop_record_it_and_resume_after_the_reset()
    {
        var clock = Stopwatch.StartNew();
        // The twin starts serving while the policy trains.
        using var serve = CliProcess.Start("serve", "--port", "0", "--no-camera", "--seconds", "120");
        string policy = reach.PolicyPath;
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: policy trained");
        string users = Path.Combine(_dir, "users.txt");
        File.WriteAllLines(users, ["robot:robot-pw:robot", $"{Operator}:operator-pw:operator"]);
        string bag = Path.Combine(_dir, "deploy.bag");
        int mqttPort = FreePort();

        string served = serve.WaitForLine(l => l.StartsWith("serving the MuJoCo Fetch twin on ", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "serve starts");
        string url = Regex.Match(served, @"ws://\S+").Value.TrimEnd('/');

        using var deploy = CliProcess.Start("deploy", policy, "--robot", url, "--episodes", "2", "--seed", "21",
            "--mqtt-users", users, "--mqtt-port", mqttPort.ToString(CultureInfo.InvariantCulture), "--operator-wait", "20", "--record", bag);
        deploy.WaitForLine(l => l.StartsWith("MQTT teleop on port", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "deploy waits for an operator");
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: deploy connected to the served twin, waiting for an operator");

        // --- the operator: heartbeats on their own thread (as a console would), reset so deploy can start ---
        await using var console = new TeleopOperator(new BrokerEndpoint { Host = "127.0.0.1", Port = mqttPort, UserName = Operator, Password = "operator-pw" }, "fetch", Operator);
        await console.ConnectAsync();
        using (new OperatorHeartbeat(console))
        {
            await ResetUntilRunning(console, "deploy's first episode");

            // --- press the e-stop in the first episode, while the arm moves (as the operator sees it in telemetry) ---
            deploy.WaitForLine(l => l.StartsWith("ep 1 step  1:", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "the first episode starts");
            double seenSpeed = await WaitForArmSpeed(console, 0.05, TimeSpan.FromSeconds(3));
            await console.TripAsync(TripCause);
            deploy.WaitForLine(l => l.StartsWith("robot stopped", StringComparison.Ordinal) && l.Contains(TripCause, StringComparison.Ordinal), TimeSpan.FromSeconds(10), "deploy reports the stop and waits");
            // Let the arm brake and stay still for a while, then reset: deploy goes on with episode 2.
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            await ResetUntilRunning(console, "the reset after the trip");
            int code = deploy.WaitForExit(TimeSpan.FromSeconds(40), "deploy finishes episode 2");
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: deploy exited");
            string stdout = deploy.Output;
            output.WriteLine($"operator saw the arm at {seenSpeed:F3} rad/s when pressing the e-stop");
            output.WriteLine(string.Join('\n', stdout.Split('\n').Where(l => !l.StartsWith("ep 2 step", StringComparison.Ordinal) || l.Contains(" 50:", StringComparison.Ordinal) || l.Contains("  1:", StringComparison.Ordinal))));

            // --- deploy's own account ---
            Assert.True(code == 0, $"deploy exit {code}\n{CliProcess.Tail(stdout)}\n{deploy.Error}");
            Assert.Contains("e-stop reset by an operator: resuming with the next episode", stdout);
            Assert.Contains("safety stops:     1, resumed after an operator's reset: 1", stdout);
            Assert.Matches(@"FetchReach-v4 on ws://\S+: [012]/2 episodes succeeded", stdout);
            Assert.Contains("ep 2 step 50:", stdout); // the second episode ran to its end
            // Joint states over rosbridge, their stamps mapped onto deploy's clock: fresh, and never "negative".
            var age = Regex.Match(stdout, @"observation age:  p50 (?<p50>[\d.]+) ms, p99 (?<p99>[\d.]+) ms");
            Assert.True(age.Success, stdout);
            Assert.InRange(double.Parse(age.Groups["p50"].Value, CultureInfo.InvariantCulture), 0, 200);
            Assert.DoesNotContain("ep 1 step 50:", stdout); // the first ended at the stop
        }

        // --- what the bag shows ---
        var stop = StopAnalysis.Analyse(bag, DateTimeOffset.UnixEpoch, tripCause: TripCause); // bag times as they are
        Assert.NotNull(stop);
        var speeds = ArmSpeeds(bag);
        double atTrip = speeds.Last(s => s.Time <= stop.TripTime).Speed;
        double onePeriod = speeds.First(s => s.Time >= stop.TripTime + Period).Speed;
        double twoPeriods = speeds.First(s => s.Time >= stop.TripTime + 2 * Period).Speed;
        output.WriteLine($"bag: trip at {stop.TripTime.TotalSeconds:F3} s ({stop.TripCause}); arm {atTrip:F3} rad/s at the trip, " +
            $"{onePeriod:F3} one period later, {twoPeriods:F3} two periods later; at rest {stop.StopLatency?.TotalMilliseconds:F0} ms after the trip; " +
            $"creep {stop.ArmTravelAfterStop:E2} rad; reset at {stop.ResetTime?.TotalSeconds:F3} s, motion again at {stop.MotionResumedAt?.TotalSeconds:F3} s");

        Assert.Contains(TripCause, stop.TripCause);
        Assert.True(atTrip > 0.05, $"the trip should land mid-motion (arm at {atTrip:F3} rad/s)");
        // Deploy's view (joint states at the time it received them, so the return path counts too): the
        // first state received one control period after the trip is already slower. This held in all 17
        // runs on the loaded 2-core machine (0.13–0.36 rad/s at the trip → 0.017–0.069 one period later).
        // Each policy step is a 40 ms trajectory segment, so the speed also dips between steps: rest and
        // no creep below are the stronger evidence that the stop held.
        Assert.True(onePeriod < atTrip, $"one period after the trip the arm is not slowing ({atTrip:F3} → {onePeriod:F3} → {twoPeriods:F3} rad/s)");
        StopHeld.Assert(stop, atTrip, Period);
        Assert.NotNull(stop.ResetTime);
        Assert.True(stop.MotionResumedAt > stop.ResetTime, "after the operator's reset the arm moves again");

        var episodes = EpisodeBagReader.Read(bag);
        Assert.Equal(2, episodes.Count);
        Assert.Contains("reason=safety_stop", episodes[0].EndEvent);
        Assert.Contains(episodes[0].SafetyEvents, e => e.Name == "estop/trip" && e.Message.Contains(TripCause, StringComparison.Ordinal));
        Assert.Equal(50, episodes[1].Steps.Count(s => s.Action is not null));
        double startDistance = Distance(episodes[1].Steps[0]), endDistance = Distance(episodes[1].Steps[^1]);
        output.WriteLine($"episode 2: gripper {startDistance:F3} m from the goal at the start, {endDistance:F3} m at the end");
        Assert.True(endDistance < startDistance, "the resumed episode moved the gripper towards its goal");
    }

    private static double Distance(RecordedStep step)
    {
        double[] a = step.AchievedGoal!, d = step.DesiredGoal!;
        return Math.Sqrt(a.Zip(d, (x, y) => (x - y) * (x - y)).Sum());
    }

    /// <summary>Fastest arm joint speed of every recorded joint state, at the time deploy received it.</summary>
    private static List<(TimeSpan Time, double Speed)> ArmSpeeds(string bag)
    {
        using var reader = BagReader.Open(bag);
        return reader.ReadMessages(new HashSet<string> { EpisodeTopics.JointStates })
            .Select(m => (TimeSpan.FromTicks(m.Time.TotalNanoseconds / 100),
                Arm.Max(j => Math.Abs(RosMessages.ReadJointState(m.Data.Span).Velocity[j]))))
            .OrderBy(s => s.Item1)
            .ToList();
    }

    private static async Task<double> WaitForArmSpeed(TeleopOperator console, double atLeast, TimeSpan timeout)
    {
        var waited = Stopwatch.StartNew();
        double fastest = 0;
        while (waited.Elapsed < timeout)
        {
            if (console.Joints is { } joints)
            {
                fastest = Arm.Max(j => Math.Abs(joints.Velocity[j]));
                if (fastest >= atLeast)
                {
                    return fastest;
                }
            }
            await Task.Delay(5);
        }
        Assert.Fail($"the arm never moved faster than {atLeast} rad/s in the first episode (fastest seen {fastest:F3})");
        return fastest;
    }

    private static async Task ResetUntilRunning(TeleopOperator console, string what)
    {
        var waited = Stopwatch.StartNew();
        while (console.EStopState is not { Stopped: false })
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(15), $"{what}: the e-stop did not reset ({console.EStopState})");
            await console.ResetAsync();
            await Task.Delay(100);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
