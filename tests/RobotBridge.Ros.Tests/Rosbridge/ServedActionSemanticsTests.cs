using RobotBridge.Robots;
using RobotBridge.Ros.Messages;
using RobotBridge.Ros.Serialization;

namespace RobotBridge.Ros.Tests.Rosbridge;

/// <summary>
/// `serve`'s trajectory action servers answer as the Fetch's stack does (actionlib SimpleActionServer
/// in front of robot_controllers' FollowJointTrajectory): statuses, texts and error codes a Fetch would
/// send, and after every terminal status the joints hold where they are.
/// </summary>
public class ServedActionSemanticsTests
{
    private const string Arm = "/arm_controller/follow_joint_trajectory";
    private const string Torso = "/torso_controller/follow_joint_trajectory";
    private const string Recalled = "This goal was canceled because another goal was received by the simple action server";

    private static readonly int RollIndex = FetchJoints.IndexOf(FetchJoints.UpperarmRoll);
    private static readonly int PanIndex = FetchJoints.IndexOf(FetchJoints.ShoulderPan);

    private static double[] ArmNow(ServedTwin served)
    {
        var state = new RobotState();
        served.Twin.ReadState(state);
        return [.. FetchJoints.Arm.Select(j => state.Position[FetchJoints.IndexOf(j)])];
    }

    private static double[] JointsNow(ServedTwin served)
    {
        var state = new RobotState();
        served.Twin.ReadState(state);
        return state.Position.ToArray();
    }

    /// <summary>Asserts no controlled joint moves more than 0.02 over <paramref name="window"/> (measured on the twin).</summary>
    private static async Task AssertHolds(ServedTwin served, string after, double window = 1.0)
    {
        // Let the joints come to rest from the motion they had when the goal ended (servo lag).
        await Task.Delay(300);
        double[] before = JointsNow(served);
        await Task.Delay(TimeSpan.FromSeconds(window));
        double[] later = JointsNow(served);
        foreach (string joint in FetchJoints.ArmWithTorso.Concat(FetchJoints.Head))
        {
            int k = FetchJoints.IndexOf(joint);
            Assert.True(Math.Abs(later[k] - before[k]) < 0.02,
                $"{joint} moved {before[k]:0.000} -> {later[k]:0.000} in {window} s after {after}: a motion reported as ended must not go on");
        }
    }

    [Fact]
    public async Task An_aborted_goal_leaves_the_arm_holding_where_it_is()
    {
        await using var served = new ServedTwin();
        await using var probe = await ActionProbe.ConnectAsync(served.Server.Uri, Arm);
        double[] target = ArmNow(served);
        // upperarm_roll 3 rad away in 0.5 s: its motor manages 1.57 rad/s, so the goal cannot be met in time.
        target[2] += 3.0;
        var sent = served.Twin.SimTime;
        string id = probe.Send(JointGroup.Arm, [(target, 0.5)], ActionProbe.WallStamp());
        var outcome = await probe.WaitResult(id);
        Assert.Equal((GoalStatusCode.Aborted, -5, "Trajectory not executed within time limits."), (outcome.Status, outcome.ErrorCode, outcome.Text));
        // On the robot's clock: end time 0.5 s + goal_time_tolerance 0 + 0.6 s, plus the socket and the node's 10 ms cycle.
        double after = (outcome.Stamp - sent).TotalSeconds;
        Assert.True(after >= 1.09 && after < 1.5, $"aborted {after:0.000} s after sending; a Fetch aborts at end + 0.6 s = 1.1 s");
        await AssertHolds(served, "ABORTED");
        Assert.True(Math.Abs(JointsNow(served)[RollIndex] - target[2]) > 0.5, "the roll joint went on to the aborted goal's target");
    }

    [Fact]
    public async Task A_cancelled_goal_is_preempted_and_the_arm_holds()
    {
        await using var served = new ServedTwin();
        await using var probe = await ActionProbe.ConnectAsync(served.Server.Uri, Arm);
        double[] start = ArmNow(served), target = (double[])start.Clone();
        target[0] -= 1.0; // the tuck pose has shoulder_pan near its upper limit
        string id = probe.Send(JointGroup.Arm, [(target, 4.0)], ActionProbe.WallStamp());
        await ServerFixture.Eventually(() => JointsNow(served)[PanIndex] < start[0] - 0.15, "arm moving");
        probe.Cancel(id);
        var outcome = await probe.WaitResult(id);
        Assert.Equal((GoalStatusCode.Preempted, "Trajectory preempted"), (outcome.Status, outcome.Text));
        await AssertHolds(served, "a cancel (PREEMPTED)");
        Assert.True(JointsNow(served)[PanIndex] > target[0] + 0.3, "the arm went on to the cancelled goal's target");
    }

    [Fact]
    public async Task A_newer_goal_preempts_the_running_one_splices_onto_it_and_succeeds_only_after_its_end_time()
    {
        await using var served = new ServedTwin();
        await using var probe = await ActionProbe.ConnectAsync(served.Server.Uri, Arm);
        double[] start = ArmNow(served), far = (double[])start.Clone(), near = (double[])start.Clone();
        far[0] -= 1.0;
        near[0] -= 0.4;
        string first = probe.Send(JointGroup.Arm, [(far, 4.0)], ActionProbe.WallStamp());
        await ServerFixture.Eventually(() => JointsNow(served)[PanIndex] < start[0] - 0.1, "arm moving");
        var sent = served.Twin.SimTime;
        string second = probe.Send(JointGroup.Arm, [(near, 1.0)], ActionProbe.WallStamp());
        var preempted = await probe.WaitResult(first);
        Assert.Equal((GoalStatusCode.Preempted, "Trajectory preempted"), (preempted.Status, preempted.Text));
        var done = await probe.WaitResult(second);
        Assert.Equal((GoalStatusCode.Succeeded, 0, "Trajectory succeeded."), (done.Status, done.ErrorCode, done.Text));
        double after = (done.Stamp - sent).TotalSeconds;
        Assert.True(after >= 0.98, $"succeeded {after:0.000} s after sending a 1 s goal: a Fetch reports success only after the end time");
        Assert.Equal(near[0], JointsNow(served)[PanIndex], 0.03);
        await AssertHolds(served, "SUCCEEDED");
    }

    [Fact]
    public async Task Two_runs_of_fresh_processes_both_execute_and_stale_or_superseded_goals_are_recalled()
    {
        await using var served = new ServedTwin();
        double[] start = ArmNow(served);
        double[] a = (double[])start.Clone(), b = (double[])start.Clone();
        a[0] -= 0.3;
        // Two deploys in a row, each a fresh process stamping ROS (wall-clock) time.
        foreach (double[] target in new[] { a, start })
        {
            await using var run = await ActionProbe.ConnectAsync(served.Server.Uri, Arm);
            var outcome = await run.WaitResult(run.Send(JointGroup.Arm, [(target, 0.5)], ActionProbe.WallStamp()));
            Assert.Equal((GoalStatusCode.Succeeded, "Trajectory succeeded."), (outcome.Status, outcome.Text));
        }
        await using var probe = await ActionProbe.ConnectAsync(served.Server.Uri, Arm);
        // A client that stamps from its own process clock (starting near 0) is older than the last goal: RECALLED at once.
        b[0] -= 0.3;
        var stale = await probe.WaitResult(probe.Send(JointGroup.Arm, [(b, 0.5)], RosTime.FromSeconds(1.5)));
        Assert.Equal((GoalStatusCode.Recalled, Recalled), (stale.Status, stale.Text));
        await AssertHolds(served, "RECALLED", 0.5);

        // Two goals in one burst: the first is still pending when the second (newer) arrives, so it is superseded.
        var stamp = ActionProbe.WallStamp();
        string pending = probe.Send(JointGroup.Arm, [(b, 0.5)], stamp);
        string newer = probe.Send(JointGroup.Arm, [(start, 0.5)], RosTime.FromTimeSpan(stamp.ToTimeSpan() + TimeSpan.FromMilliseconds(1)));
        var superseded = await probe.WaitResult(pending);
        Assert.True(superseded.Status is GoalStatusCode.Recalled or GoalStatusCode.Preempted, $"superseded goal ended {superseded.Status} '{superseded.Text}'");
        Assert.Equal(superseded.Status == GoalStatusCode.Recalled ? Recalled : "Trajectory preempted", superseded.Text);
        var last = await probe.WaitResult(newer);
        Assert.Equal(GoalStatusCode.Succeeded, last.Status);
    }

    [Fact]
    public async Task A_zero_stamp_means_now_on_the_servers_clock()
    {
        await using var served = new ServedTwin();
        await using var probe = await ActionProbe.ConnectAsync(served.Server.Uri, Torso);
        var state = new RobotState();
        served.Twin.ReadState(state);
        double torso = state.Position[FetchJoints.IndexOf(FetchJoints.TorsoLift)];
        var zero = await probe.WaitResult(probe.Send(JointGroup.Torso, [([torso + 0.05], 0.5)], default));
        Assert.Equal(GoalStatusCode.Succeeded, zero.Status);
        // Stamped 1 ns after the epoch: older than the "now" the server gave the zero-stamped goal.
        var old = await probe.WaitResult(probe.Send(JointGroup.Torso, [([torso], 0.5)], new RosTime(0, 1)));
        Assert.Equal((GoalStatusCode.Recalled, Recalled), (old.Status, old.Text));
    }

    [Fact]
    public async Task A_path_tolerance_violation_aborts_with_minus_4_and_the_arm_holds()
    {
        await using var served = new ServedTwin();
        await using var probe = await ActionProbe.ConnectAsync(served.Server.Uri, Arm);
        double[] target = ArmNow(served);
        target[0] -= 1.0;
        // 1 rad in 0.3 s asks 3.3 rad/s of a 1.26 rad/s joint: the arm falls behind the path at once.
        string id = probe.Send(JointGroup.Arm, [(target, 0.3)], ActionProbe.WallStamp(), goal =>
        {
            foreach (string joint in FetchJoints.Arm)
            {
                goal.PathTolerance.Add(new JointTolerance { Name = joint, Position = 0.1 });
            }
        });
        var outcome = await probe.WaitResult(id);
        Assert.Equal((GoalStatusCode.Aborted, -4, "Trajectory path tolerances violated (position)."), (outcome.Status, outcome.ErrorCode, outcome.Text));
        await AssertHolds(served, "ABORTED (path tolerance)");
        Assert.True(JointsNow(served)[PanIndex] > target[0] + 0.3, "the arm went on to the aborted goal's target");
    }

    [Fact]
    public async Task Goal_tolerances_apply_per_joint_and_a_tolerance_of_zero_disables_the_check()
    {
        await using var served = new ServedTwin();
        await using var probe = await ActionProbe.ConnectAsync(served.Server.Uri, Arm);
        double[] target = ArmNow(served);
        // Unreachable in time for shoulder_pan (1 rad in 0.2 s), but its check is disabled: success at the end time.
        target[0] -= 1.0;
        var sent = served.Twin.SimTime;
        var disabled = await probe.WaitResult(probe.Send(JointGroup.Arm, [(target, 0.2)], ActionProbe.WallStamp(), goal =>
        {
            foreach (string joint in FetchJoints.Arm)
            {
                goal.GoalTolerance.Add(new JointTolerance { Name = joint, Position = joint == FetchJoints.ShoulderPan ? 0 : 0.05 });
            }
        }));
        Assert.Equal(GoalStatusCode.Succeeded, disabled.Status);
        Assert.True((disabled.Stamp - sent).TotalSeconds < 0.6, $"success came {(disabled.Stamp - sent).TotalSeconds:0.000} s after sending: the disabled joint was still checked");
        await Task.Delay(1500);
        // A generous tolerance on one joint only does not loosen the others: the 0.02 default applies to all
        // (upstream uses the goal's tolerances only when every joint has one).
        double[] now = ArmNow(served);
        now[2] += 3.0; // upperarm_roll cannot make 3 rad in 0.5 s
        var partial = await probe.WaitResult(probe.Send(JointGroup.Arm, [(now, 0.5)], ActionProbe.WallStamp(), goal =>
            goal.GoalTolerance.Add(new JointTolerance { Name = FetchJoints.UpperarmRoll, Position = 10 })));
        Assert.Equal((GoalStatusCode.Aborted, -5), (partial.Status, partial.ErrorCode));
        await AssertHolds(served, "ABORTED (goal tolerance)");
    }

    [Theory]
    [InlineData(1e308)]
    [InlineData(-1e308)]
    [InlineData(3.5)] // shoulder_pan's range is ±1.6056 rad
    public async Task An_out_of_range_goal_is_rejected_with_the_reason_and_nothing_moves(double position)
    {
        await using var served = new ServedTwin();
        await using var probe = await ActionProbe.ConnectAsync(served.Server.Uri, Arm);
        double[] start = ArmNow(served), target = (double[])start.Clone();
        target[0] = position;
        target[2] = position; // a continuous roll joint: no range, but 1e308 rad is no position either
        var outcome = await probe.WaitResult(probe.Send(JointGroup.Arm, [(target, 2.0)], ActionProbe.WallStamp()));
        Assert.Equal(GoalStatusCode.Rejected, outcome.Status);
        Assert.Contains(FetchJoints.ShoulderPan, outcome.Text);
        Assert.Contains("limit", outcome.Text);
        await AssertHolds(served, "REJECTED", 0.5);
        Assert.Equal(start[0], JointsNow(served)[PanIndex], 0.02);
    }

    [Fact]
    public async Task A_future_header_stamp_delays_the_trajectory()
    {
        await using var served = new ServedTwin();
        await using var probe = await ActionProbe.ConnectAsync(served.Server.Uri, Torso);
        var state = new RobotState();
        served.Twin.ReadState(state);
        int torso = FetchJoints.IndexOf(FetchJoints.TorsoLift);
        double start = state.Position[torso];
        // The trajectory's clock is the robot's (its joint-state stamps): start 1.5 s from now on it.
        var begin = state.Stamp + TimeSpan.FromSeconds(1.5);
        // 4 cm in 0.5 s: within the torso's 0.1 m/s, so the goal itself is one a Fetch can carry out.
        string id = probe.Send(JointGroup.Torso, [([start], 0.0), ([start + 0.04], 0.5)], ActionProbe.WallStamp(),
            goal => goal.Trajectory.Header.Stamp = RosTime.FromTimeSpan(begin));
        await Task.Delay(900);
        served.Twin.ReadState(state);
        Assert.True(Math.Abs(state.Position[torso] - start) < 0.01, $"torso moved to {state.Position[torso]:0.000} before the trajectory's start time");
        var outcome = await probe.WaitResult(id);
        Assert.Equal(GoalStatusCode.Succeeded, outcome.Status);
        Assert.True(outcome.Stamp >= begin + TimeSpan.FromSeconds(0.5), $"succeeded at {outcome.Stamp} on the robot's clock, before stamp + 0.5 s = {begin + TimeSpan.FromSeconds(0.5)}");
    }
}
