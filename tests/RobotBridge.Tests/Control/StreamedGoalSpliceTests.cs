using RobotBridge.Control;
using RobotBridge.Model;
using RobotBridge.Robots;
using RobotBridge.Safety;

namespace RobotBridge.Tests.Control;

/// <summary>
/// Streamed goals as robot_controllers' FollowJointTrajectoryController runs them: each one arrives a
/// transport delay after it was sent and is spliced onto the running goal (<see cref="TrajectorySpline"/>,
/// which splices as upstream's trajectory.h does).
/// </summary>
public class StreamedGoalSpliceTests
{
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(100);
    private static readonly bool[] NotContinuous = new bool[7];

    /// <summary>The arm's shipped limits at <paramref name="velocityScale"/>, in <see cref="FetchJoints.Arm"/> order.</summary>
    private static JointLimit[] ArmLimits(double velocityScale)
    {
        var all = ModelSafety.Limits(FetchModel.Load(), SafetyConfig.Default() with { VelocityScale = velocityScale }).Joints;
        return [.. FetchJoints.Arm.Select(j => all[FetchJoints.IndexOf(j)])];
    }

    private static readonly double[] Start = [0.1, -0.2, 0.3, 1.0, -0.4, 0.5, -0.6];

    /// <summary>A streamer for the arm within <paramref name="limits"/>, its reference at rest at <see cref="Start"/>.</summary>
    private static JointGoalStreamer StreamerAtStart(JointLimit[] limits)
    {
        var streamer = new JointGoalStreamer(JointGroup.Arm, limits, Period);
        streamer.Reset(Start);
        return streamer;
    }

    [Theory]
    [InlineData(1.0, 1)]
    [InlineData(0.25, 2)]
    [InlineData(0.5, 3)]
    public void Goals_spliced_after_rosbridge_delays_keep_the_arm_within_its_limits_and_switch_without_a_jump(double velocityScale, int seed)
    {
        JointLimit[] limits = ArmLimits(velocityScale);
        var streamer = StreamerAtStart(limits);
        var rng = new Random(seed);
        double[] start = Start;

        TrajectorySpline? running = null;
        double lastReceipt = double.NegativeInfinity;
        var (q, qd, qdd) = (new double[7], new double[7], new double[7]);
        double worstSpeed = 0, worstAcceleration = 0;
        for (int step = 0; step < 400; step++)
        {
            // A policy's targets: a step of up to 0.2 rad either way from the reference, held still now and then.
            double[] target = [.. streamer.Position.ToArray().Select(p => step % 40 >= 35 ? p : p + (rng.NextDouble() * 2 - 1) * 0.2)];
            double sentAt = 3.0 + step * Period.TotalSeconds + rng.NextDouble() * 0.004;
            JointTrajectory goal = streamer.NextSentAt(TimeSpan.FromSeconds(sentAt), target, [], [], double.PositiveInfinity);
            // rosbridge's command → controller delay measured by `bench e2e`: p50 18–31 ms, p99 31–65 ms; TCP keeps order.
            double receipt = Math.Max(sentAt + 0.018 + rng.NextDouble() * 0.047, lastReceipt + 1e-4);
            double startTime = goal.StartTime?.TotalSeconds ?? receipt;

            TrajectorySpline next = running is null
                ? TrajectorySpline.Start(goal, startTime, receipt, start, NotContinuous)
                : TrajectorySpline.Splice(running, goal, startTime, receipt, NotContinuous);
            if (running is not null)
            {
                // At the switch the setpoint moves from the running goal to this one: both left the same state at
                // the stamp, so they part by at most ½·Δa·(delay)², Δa ≤ 2 × 0.9 × a (reached when the goal reverses
                // a joint's acceleration).
                var (q0, qd0, qdd0) = (new double[7], new double[7], new double[7]);
                Assert.True(running.Sample(receipt, q0, qd0, qdd0));
                Assert.True(next.Sample(receipt, q, qd, qdd), $"step {step}: the spliced goal has not started at its arrival");
                double delay = receipt - startTime; // the stamp: the sending, cut to a tick
                for (int j = 0; j < 7; j++)
                {
                    // Knot times are whole 100 ns ticks, which moves a short segment's acceleration by up to ~1e-4 of itself.
                    double dA = 2 * 0.9 * limits[j].MaxAcceleration * (1 + 1e-3);
                    Assert.True(Math.Abs(q[j] - q0[j]) <= dA * delay * delay / 2 + 1e-9,
                        $"step {step}, {FetchJoints.Arm[j]}: the setpoint jumps {q[j] - q0[j]:E3} rad at the switch (delay {delay * 1e3:F0} ms)");
                    Assert.True(Math.Abs(qd[j] - qd0[j]) <= dA * delay + 1e-9,
                        $"step {step}, {FetchJoints.Arm[j]}: the setpoint's velocity jumps {qd[j] - qd0[j]:F3} rad/s at the switch");
                }
            }
            running = next;
            lastReceipt = receipt;

            // Until the next goal arrives (about a period on), the setpoint runs within every limit. Acceleration as
            // the velocity's change over 5 ms: knot times are whole 100 ns ticks, so a cubic between knots a fraction
            // of a millisecond apart bends by nanoradians into a brief spike of acceleration nobody could follow.
            double[] previous = new double[7];
            Assert.True(running.Sample(receipt, q, previous, qdd));
            for (double t = receipt + 0.005; t < receipt + Period.TotalSeconds; t += 0.005)
            {
                Assert.True(running.Sample(t, q, qd, qdd));
                for (int j = 0; j < 7; j++)
                {
                    double acceleration = (qd[j] - previous[j]) / 0.005;
                    worstSpeed = Math.Max(worstSpeed, Math.Abs(qd[j]) / limits[j].MaxVelocity);
                    worstAcceleration = Math.Max(worstAcceleration, Math.Abs(acceleration) / limits[j].MaxAcceleration);
                    Assert.True(Math.Abs(qd[j]) <= limits[j].MaxVelocity * (1 + 1e-9),
                        $"step {step}, {t - receipt:F3} s after the goal arrived: {FetchJoints.Arm[j]} setpoint at {qd[j]:F3} rad/s, limit {limits[j].MaxVelocity:F3}");
                    Assert.True(Math.Abs(acceleration) <= limits[j].MaxAcceleration,
                        $"step {step}, {t - receipt:F3} s after the goal arrived: {FetchJoints.Arm[j]} setpoint accelerates at {acceleration:F3} rad/s², limit {limits[j].MaxAcceleration:F3}");
                }
                qd.CopyTo(previous, 0);
            }
        }
        Console.WriteLine($"velocity_scale {velocityScale}: fastest setpoint {worstSpeed:P0} of the velocity limit, hardest acceleration {worstAcceleration:P0} of its limit");
    }

    [Fact]
    public void A_goal_at_rest_gives_the_controller_more_than_two_knots_so_the_next_one_splices_by_time()
    {
        // Upstream splices onto the running goal's knots only when it has more than two; with two it starts
        // the next goal from its last sample and takes every point of it, and a stamped start behind that
        // sample would then run backwards.
        JointLimit[] limits = ArmLimits(1.0);
        var streamer = StreamerAtStart(limits);
        double[] start = Start;
        JointTrajectory still = streamer.NextSentAt(TimeSpan.FromSeconds(1), start, [], [], double.PositiveInfinity);
        var spline = TrajectorySpline.Start(still, 1.0, 1.02, start, NotContinuous);
        Assert.True(spline.Knots.Count > 2, $"{spline.Knots.Count} knots");
        Assert.All(still.Points, p => Assert.Equal(start, p.Positions));
        Assert.All(still.Points, p => Assert.Equal(new double[7], p.Velocities!));
        Assert.Equal(TimeSpan.FromSeconds(1), still.StartTime);
    }

    [Fact]
    public void A_goal_started_where_the_supervisor_takes_the_setpoint_to_be_leads_with_exactly_that_and_passes_it_unchanged()
    {
        // Over rosbridge the streamer's reference and the supervisor's model drifted apart whenever the two judged
        // a joint on either side of the tracking tolerance from measured states milliseconds apart, and every goal
        // after that was retimed. Started from the supervisor's own start, each goal is checked from where it begins.
        JointLimit[] limits = ArmLimits(1.0);
        var streamer = StreamerAtStart(limits);
        double[] start = Start;
        double[] target = [.. start.Select(q => q + 0.3)];
        for (int step = 0; step < 5; step++)
        {
            streamer.NextSentAt(TimeSpan.FromSeconds(1 + step * 0.1), target, [], [], double.PositiveInfinity);
        }
        // The supervisor's start: shoulder_lift held back 0.15 rad and stopped, the others a little off the reference.
        double[] given = [.. streamer.Position.ToArray().Select((q, j) => j == 1 ? q - 0.15 : q + 1e-3)];
        double[] givenVelocity = [.. streamer.Velocity.ToArray().Select((v, j) => j == 1 ? 0 : v * 0.9)];

        var sentAt = TimeSpan.FromSeconds(1.5);
        JointTrajectory goal = streamer.NextSentAtFrom(sentAt, target, given, givenVelocity);

        Assert.Equal(sentAt, goal.StartTime);
        Assert.Equal(TimeSpan.Zero, goal.Points[0].TimeFromStart);
        Assert.Equal(given, goal.Points[0].Positions);
        Assert.Equal(givenVelocity, goal.Points[0].Velocities!);
        var all = ModelSafety.Limits(FetchModel.Load(), SafetyConfig.Default()).Joints;
        var from = new double[FetchJoints.Count];
        var fromVelocity = new double[FetchJoints.Count];
        for (int j = 0; j < 7; j++)
        {
            from[FetchJoints.IndexOf(FetchJoints.Arm[j])] = given[j];
            fromVelocity[FetchJoints.IndexOf(FetchJoints.Arm[j])] = givenVelocity[j];
        }
        var limited = TrajectoryLimiter.Enforce(goal, from, fromVelocity, all, SafetyConfig.Default().PositionMargin, out bool clamped);
        Assert.False(clamped, "the goal from the supervisor's start was retimed");
        Assert.Same(goal, limited);
    }
}

