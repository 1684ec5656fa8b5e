using System.Diagnostics;
using RobotBridge.Control;
using RobotBridge.Robots;
using RobotBridge.Safety;
using RobotBridge.Sim.Twin;

namespace RobotBridge.Sim.Tests.Safety;

/// <summary>
/// Every stop cause on the MuJoCo twin: the stop reaches the robot within one control period of the
/// fault, and the arm holds its position afterwards although the policy keeps commanding motion.
/// </summary>
public class StopCauseTests
{
    /// <summary>Arm/torso drift allowed while held (servo settling after the stop).</summary>
    private const double HoldTolerance = 0.02;

    private static void AssertStoppedWithinOnePeriod(SupervisedTwin rig, string sourceName, TimeSpan faultAt)
    {
        var trip = rig.Latch.Log.Snapshot().FirstOrDefault(e => e.Kind == SafetyEventKind.Trip && e.Source.Name == sourceName);
        Assert.True(trip is not null, $"no trip from '{sourceName}'; log: {string.Join(" | ", rig.Latch.Log.Snapshot())}");
        TimeSpan? stopAt = rig.Supervisor.LastStopIssuedAt;
        Assert.NotNull(stopAt);
        Assert.InRange(stopAt.Value - faultAt, TimeSpan.Zero, rig.Period);
        Assert.InRange(trip.RobotTime!.Value - faultAt, TimeSpan.Zero, rig.Period);
        var state = new RobotState();
        rig.Twin.ReadState(state);
        Assert.True(state.Runstopped, "the supervisor engages the runstop on every trip");
    }

    private static void AssertHolds(SupervisedTwin rig)
    {
        double moved = rig.MaxDisplacementOver(TimeSpan.FromSeconds(1));
        Assert.True(moved < HoldTolerance, $"arm moved {moved:F4} rad/m while stopped");
        Assert.True(rig.Supervisor.Counters.DroppedWhileStopped > 0, "the policy kept commanding and was ignored");
    }

    private static void AssertWasMoving(SupervisedTwin rig)
    {
        Assert.False(rig.Latch.IsStopped, rig.Latch.Snapshot.ToString());
        double pan = rig.TruePositions()[FetchJoints.IndexOf(FetchJoints.ShoulderPan)];
        Assert.True(pan > 0.02, $"the sweep should be under way, shoulder pan at {pan}");
    }

    [Fact]
    public void Joint_outside_its_safety_range_stops()
    {
        var config = SafetyConfig.Default() with { PositionLimits = new() { [FetchJoints.WristFlex] = [-1.0, 1.0] } };
        using var rig = new SupervisedTwin(new SweepingArmPolicy(), config: config);
        rig.Loop.RunCycles(15);
        AssertWasMoving(rig);

        double[] q = rig.TruePositions();
        q[FetchJoints.IndexOf(FetchJoints.WristFlex)] = 1.2;   // a disturbance the supervisor did not command
        rig.Twin.SetRobotJoints(q);
        TimeSpan faultAt = rig.Twin.Clock.Now;

        Assert.InRange(rig.RunUntilStopped(3), 1, 1);
        AssertStoppedWithinOnePeriod(rig, "joint limits", faultAt);
        AssertHolds(rig);
    }

    [Fact]
    public void Command_out_of_the_workspace_is_rejected_and_stops()
    {
        var policy = new SweepingArmPolicy();
        using var rig = new SupervisedTwin(policy);
        rig.Loop.RunCycles(15);
        AssertWasMoving(rig);

        // Shoulder lift 1.45 rad points the arm at the floor: the gripper would end near z 0.
        policy.Override = robot => robot.SendTrajectory(new JointTrajectory(JointGroup.Arm,
            [new TrajectoryPoint([0.3, 1.45, 0, 0, 0, 0, 0], null, TimeSpan.FromSeconds(4))]));
        TimeSpan faultAt = rig.Twin.Clock.Now;

        Assert.Equal(1, rig.RunUntilStopped(3));
        AssertStoppedWithinOnePeriod(rig, "workspace", faultAt);
        Assert.Contains("outside the workspace", rig.Latch.Snapshot.LastTrip!.Cause);
        policy.Override = null;
        AssertHolds(rig);
    }

    [Fact]
    public void Gripper_measured_outside_the_workspace_stops()
    {
        using var rig = new SupervisedTwin(new SweepingArmPolicy());
        rig.Loop.RunCycles(15);
        AssertWasMoving(rig);

        double[] q = rig.TruePositions();
        q[FetchJoints.IndexOf(FetchJoints.ShoulderLift)] = 1.45;
        rig.Twin.SetRobotJoints(q);
        TimeSpan faultAt = rig.Twin.Clock.Now;

        Assert.Equal(1, rig.RunUntilStopped(3));
        AssertStoppedWithinOnePeriod(rig, "workspace", faultAt);
        AssertHolds(rig);
    }

    public static TheoryData<string> NonFiniteCommands => ["trajectory", "cartesian", "gripper", "base"];

    [Theory]
    [MemberData(nameof(NonFiniteCommands))]
    public void Non_finite_command_is_rejected_and_stops(string kind)
    {
        var policy = new SweepingArmPolicy();
        using var rig = new SupervisedTwin(policy);
        rig.Loop.RunCycles(15);
        AssertWasMoving(rig);

        policy.Override = kind switch
        {
            "trajectory" => robot => robot.SendTrajectory(new JointTrajectory(JointGroup.Arm,
                [new TrajectoryPoint([0.3, 0, double.NaN, 0, 0, 0, 0], null, TimeSpan.FromSeconds(1))])),
            "cartesian" => robot => robot.SendCartesianTwist(new Twist(0.1, double.PositiveInfinity, 0, 0, 0, 0)),
            "gripper" => robot => robot.SendGripper(double.NaN, 10),
            _ => robot => robot.SendBaseTwist(new Twist(double.NaN, 0, 0, 0, 0, 0)),
        };
        TimeSpan faultAt = rig.Twin.Clock.Now;

        Assert.Equal(1, rig.RunUntilStopped(3));
        AssertStoppedWithinOnePeriod(rig, "command check", faultAt);
        AssertHolds(rig);
    }

    [Fact]
    public void Stale_joint_state_stops()
    {
        // A joint state publisher at 3 Hz: between messages the state ages past the 200 ms bound.
        using var rig = new SupervisedTwin(new SweepingArmPolicy(), twinOptions: new FetchTwinOptions { Seed = 7, JointStateRate = 3 });

        int cycles = rig.RunUntilStopped(25);

        Assert.True(cycles > 0, "stale state never stopped the robot");
        var trip = Assert.Single(rig.Latch.Log.Snapshot(), e => e.Kind == SafetyEventKind.Trip && e.Source.Name == "stale state");
        TimeSpan staleSince = rig.Loop.Observation.State.ReceivedAt + TimeSpan.FromSeconds(SafetyConfig.Default().StaleStateAfter);
        AssertStoppedWithinOnePeriod(rig, "stale state", staleSince);
        Assert.Contains("old", trip.Cause);
    }

    [Fact]
    public void Stale_camera_stops_when_the_camera_is_safety_relevant()
    {
        // A 2 Hz head camera against a 0.3 s bound: between frames the image ages past it.
        var config = SafetyConfig.Default() with { StaleCameraAfter = 0.3 };
        using var rig = new SupervisedTwin(new SweepingArmPolicy(),
            twinOptions: new FetchTwinOptions { Seed = 7, Camera = HeadCameraOptions.Policy(16, rate: 2) },
            config: config, loopOptions: new ControlLoopOptions { Camera = CameraIngestMode.Inline });

        int cycles = rig.RunUntilStopped(40);

        Assert.True(cycles > 0, "a stale camera never stopped the robot");
        CameraFrame? last = rig.Loop.Observation.Camera;
        Assert.NotNull(last);
        AssertStoppedWithinOnePeriod(rig, "stale camera", last.Stamp + TimeSpan.FromSeconds(0.3));
        AssertHolds(rig);
    }

    [Fact]
    public void Link_loss_stops_and_a_restored_link_still_needs_a_reset()
    {
        LinkFault? link = null;
        using var rig = new SupervisedTwin(new SweepingArmPolicy(), wrap: twin => link = new LinkFault(twin));
        rig.Loop.RunCycles(15);
        AssertWasMoving(rig);

        link!.Lost = true;
        TimeSpan faultAt = rig.Twin.Clock.Now;
        Assert.Equal(1, rig.RunUntilStopped(3));
        AssertStoppedWithinOnePeriod(rig, "link", faultAt);
        AssertHolds(rig);
        Assert.Equal(EStopResetResult.SourcesActive, rig.Latch.TryReset(SupervisedTwin.Operator));

        link.Lost = false;
        rig.Loop.RunCycle();
        Assert.Equal(EStopState.AwaitingReset, rig.Latch.Snapshot.State);
        Assert.Equal(EStopResetResult.Accepted, rig.Latch.TryReset(SupervisedTwin.Operator));
    }

    [Fact]
    public void Loop_overrun_stops()
    {
        var policy = new SweepingArmPolicy();
        using var rig = new SupervisedTwin(policy, rateHz: 100, loopOptions: new ControlLoopOptions { MissesBeforeStop = 2 });
        rig.Loop.RunCycles(60);
        AssertWasMoving(rig);

        // The policy now needs 15 ms of CPU per 10 ms cycle: the second miss in a row stops.
        policy.InferHook = () => SpinFor(TimeSpan.FromMilliseconds(15));
        rig.Loop.RunCycle();
        TimeSpan faultAt = rig.Twin.Clock.Now;
        Assert.False(rig.Latch.IsStopped);
        Assert.Equal(1, rig.RunUntilStopped(3));

        AssertStoppedWithinOnePeriod(rig, "control loop", faultAt);
        Assert.Contains("deadline", rig.Latch.Snapshot.LastTrip!.Cause);
        policy.InferHook = null;
        AssertHolds(rig);
    }

    [Fact]
    public void Missed_operator_heartbeat_stops()
    {
        var policy = new SweepingArmPolicy();
        using var rig = new SupervisedTwin(policy);
        var heartbeat = rig.Supervisor.AddHeartbeat("teleop operator", TimeSpan.FromMilliseconds(200));
        policy.InferHook = () => heartbeat.Beat();
        rig.Loop.RunCycles(15);
        AssertWasMoving(rig);

        policy.InferHook = null;                 // the operator's messages stop arriving
        TimeSpan lastBeat = heartbeat.LastBeat;
        int cycles = rig.RunUntilStopped(20);

        Assert.True(cycles > 0);
        AssertStoppedWithinOnePeriod(rig, "teleop operator", lastBeat + heartbeat.Timeout);
        AssertHolds(rig);
    }

    [Fact]
    public void Emergency_stop_button_from_another_thread_stops_immediately()
    {
        using var rig = new SupervisedTwin(new SweepingArmPolicy());
        rig.Loop.RunCycles(15);
        AssertWasMoving(rig);

        TimeSpan faultAt = rig.Twin.Clock.Now;
        var button = new Thread(() => rig.Latch.Trip(EStopSource.Button("gpio:17"), "button pressed"));
        button.Start();
        button.Join();

        Assert.Equal(faultAt, rig.Supervisor.LastStopIssuedAt);
        AssertStoppedWithinOnePeriod(rig, "gpio:17", faultAt);
        AssertHolds(rig);
    }

    [Fact]
    public void Exception_in_the_policy_stops_and_the_loop_keeps_monitoring()
    {
        var policy = new SweepingArmPolicy();
        using var rig = new SupervisedTwin(policy);
        rig.Loop.RunCycles(15);
        AssertWasMoving(rig);

        policy.InferHook = () => throw new InvalidOperationException("tensor shape mismatch");
        TimeSpan faultAt = rig.Twin.Clock.Now;
        Assert.Equal(1, rig.RunUntilStopped(3));

        AssertStoppedWithinOnePeriod(rig, "control loop", faultAt);
        Assert.Contains("tensor shape mismatch", rig.Latch.Snapshot.LastTrip!.Cause);
        double moved = rig.MaxDisplacementOver(TimeSpan.FromSeconds(1));
        Assert.True(moved < HoldTolerance, $"arm moved {moved:F4} while stopped");
        Assert.True(rig.Loop.Timing.Cycles > 40, "the loop kept cycling after the fault");
    }

    private static void SpinFor(TimeSpan duration)
    {
        long start = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(start) < duration)
        {
            Thread.SpinWait(10);
        }
    }
}
