using RobotBridge.Control;
using RobotBridge.Model;
using RobotBridge.Robots;
using RobotBridge.Safety;

namespace RobotBridge.Tests.Safety;

public class TrajectoryLimiterTests
{
    private static readonly JointLimit[] Limits = FetchJoints.All
        .Select(j => new JointLimit(j, HasPositionLimits: j == FetchJoints.TorsoLift, Lower: 0, Upper: 0.4, MaxVelocity: 0.1, MaxAcceleration: 0.5))
        .ToArray();

    [Fact]
    public void Positions_are_clamped_inside_the_range_with_the_margin()
    {
        var trajectory = new JointTrajectory(JointGroup.Torso, [new TrajectoryPoint([0.9], null, TimeSpan.FromSeconds(100))]);
        var limited = TrajectoryLimiter.Enforce(trajectory, new double[FetchJoints.Count], Limits, 0.02, out bool clamped);
        Assert.True(clamped);
        Assert.Equal(0.38, limited.Points[0].Positions[0], 12);
        Assert.Equal(0.9, trajectory.Points[0].Positions[0]);
    }

    [Fact]
    public void A_too_fast_point_is_retimed_to_the_velocity_and_acceleration_limits()
    {
        var trajectory = new JointTrajectory(JointGroup.Torso,
        [
            new TrajectoryPoint([0.3], null, TimeSpan.FromSeconds(0.1)),
            new TrajectoryPoint([0.3], null, TimeSpan.FromSeconds(0.2)),
        ]);
        var limited = TrajectoryLimiter.Enforce(trajectory, new double[FetchJoints.Count], Limits, 0.02, out bool clamped);
        Assert.True(clamped);
        // 0.3 m at 0.1 m/s and 0.5 m/s²: 0.3/0.1 + 0.1/0.5 = 3.2 s; the second point keeps its 0.1 s spacing.
        Assert.Equal(3.2, limited.Points[0].TimeFromStart.TotalSeconds, 6);
        Assert.Equal(3.3, limited.Points[1].TimeFromStart.TotalSeconds, 6);
    }

    [Fact]
    public void A_trajectory_within_limits_that_ends_at_rest_is_returned_unchanged()
    {
        var trajectory = new JointTrajectory(JointGroup.Torso, [new TrajectoryPoint([0.1], [0.0], TimeSpan.FromSeconds(5))]);
        var limited = TrajectoryLimiter.Enforce(trajectory, new double[FetchJoints.Count], Limits, 0.02, out bool clamped);
        Assert.False(clamped);
        Assert.Same(trajectory, limited);
    }

    [Fact]
    public void A_position_only_trajectory_within_limits_is_returned_unchanged()
    {
        var trajectory = new JointTrajectory(JointGroup.Torso, [new TrajectoryPoint([0.1], null, TimeSpan.FromSeconds(5))]);
        var limited = TrajectoryLimiter.Enforce(trajectory, new double[FetchJoints.Count], Limits, 0.02, out bool clamped);
        Assert.False(clamped);
        Assert.Same(trajectory, limited);
    }

    [Fact]
    public void A_goal_that_ends_moving_is_made_to_end_at_rest()
    {
        var trajectory = new JointTrajectory(JointGroup.Torso, [new TrajectoryPoint([0.1], [0.05], TimeSpan.FromSeconds(5))]);
        var limited = TrajectoryLimiter.Enforce(trajectory, new double[FetchJoints.Count], Limits, 0.02, out bool clamped);
        Assert.True(clamped);
        Assert.Equal([0.0], limited.Points[0].Velocities!);
    }

    [Fact]
    public void A_through_velocity_is_limited_to_what_can_brake_before_the_range_end()
    {
        // 0.05 m from the margin-shrunk top at 0.5 m/s²: sqrt(2 · 0.5 · 0.05) ≈ 0.2236 m/s, under the 0.1 m/s limit → 0.1;
        // 0.005 m from it: sqrt(2 · 0.5 · 0.005) ≈ 0.0707 m/s.
        Assert.Equal(0.1, TrajectoryLimiter.SafeVelocity(1.0, 0.33, Limits[2], 0.02, isLast: false), 6);
        Assert.Equal(0.0707107, TrajectoryLimiter.SafeVelocity(1.0, 0.375, Limits[2], 0.02, isLast: false), 6);
        Assert.Equal(-0.1, TrajectoryLimiter.SafeVelocity(-1.0, 0.375, Limits[2], 0.02, isLast: false), 6);
        Assert.Equal(0, TrajectoryLimiter.SafeVelocity(1.0, 0.2, Limits[2], 0.02, isLast: true));
    }

    [Theory]
    [InlineData(0.01, 0.28284271247)]  // triangular: 2·sqrt(d/a)
    [InlineData(1.0, 10.2)]            // trapezoidal: d/v + v/a
    public void Minimum_duration_matches_the_profile(double distance, double expected)
    {
        Assert.Equal(expected, TrajectoryLimiter.MinimumDuration(distance, 0, 0, Limits[2]), 6);
    }

    [Theory]
    [InlineData(0.01, 0.0, 0.28284271247)]   // at rest: the rest-to-rest time
    [InlineData(0.01, 0.05, 0.21622776602)]  // already moving toward it: speed up to 0.079, brake
    [InlineData(-0.01, -0.05, 0.21622776602)] // the same, mirrored
    [InlineData(0.01, -0.05, 0.41622776602)] // moving away: brake (0.1 s, 2.5 mm), then 12.5 mm rest to rest
    [InlineData(0.001, 0.1, 0.46832815730)]  // too fast to stop within 1 mm: brake (0.2 s, 10 mm), come back 9 mm
    [InlineData(0.1, 0.05, 1.125)]           // trapezoid from 0.05: 0.1 s up to 0.1 m/s, 0.825 s cruise, 0.2 s down
    [InlineData(0.01, 0.5, 0.2)]             // above the limit counts as the limit: braking from 0.1 m/s takes exactly the 10 mm
    public void Minimum_duration_from_a_moving_start_matches_the_profile(double displacement, double startVelocity, double expected)
    {
        Assert.Equal(expected, TrajectoryLimiter.MinimumDuration(displacement, startVelocity, 0, Limits[2]), 6);
    }

    [Fact]
    public void Minimum_duration_from_a_moving_start_is_what_a_time_optimal_profile_needs()
    {
        // Bang-bang with the velocity cap, integrated at 10 µs: head for the target at full
        // acceleration, brake at the last moment, stop there. Its arrival time is the bound.
        var limit = Limits[2];
        var rng = new Random(4);
        for (int trial = 0; trial < 200; trial++)
        {
            double d = (rng.NextDouble() * 2 - 1) * 0.3, v0 = (rng.NextDouble() * 2 - 1) * limit.MaxVelocity;
            double x = 0, v = v0, t = 0, dt = 1e-5;
            while (Math.Abs(d - x) > 1e-6 || Math.Abs(v) > 1e-3)
            {
                double toGo = d - x, direction = Math.Sign(toGo == 0 ? -v : toGo);
                double braking = v * v / (2 * limit.MaxAcceleration);
                double acceleration = Math.Sign(v) == direction && braking >= Math.Abs(toGo) - Math.Abs(v) * dt
                    ? -direction * limit.MaxAcceleration
                    : direction * limit.MaxAcceleration;
                v = Math.Clamp(v + acceleration * dt, -limit.MaxVelocity, limit.MaxVelocity);
                x += v * dt;
                t += dt;
                Assert.True(t < 20, $"simulation did not settle: d {d}, v0 {v0}");
            }
            double bound = TrajectoryLimiter.MinimumDuration(d, v0, 0, limit);
            Assert.True(Math.Abs(bound - t) < 0.005, $"d {d}, v0 {v0}: bound {bound} s, simulated {t} s");
        }
    }

    [Fact]
    public void A_streamed_goal_is_timed_from_the_measured_velocity()
    {
        // The torso already moves up at 0.08 m/s; the next goal, 8 mm further, asked for in 40 ms.
        var trajectory = new JointTrajectory(JointGroup.Torso, [new TrajectoryPoint([0.108], null, TimeSpan.FromMilliseconds(40))]);
        var position = new double[FetchJoints.Count];
        position[FetchJoints.IndexOf(FetchJoints.TorsoLift)] = 0.1;
        var toward = new double[FetchJoints.Count];
        toward[FetchJoints.IndexOf(FetchJoints.TorsoLift)] = 0.08;
        var away = new double[FetchJoints.Count];
        away[FetchJoints.IndexOf(FetchJoints.TorsoLift)] = -0.08;

        double restToRest = TrajectoryLimiter.Enforce(trajectory, position, Limits, 0.02, out _).Points[0].TimeFromStart.TotalSeconds;
        double moving = TrajectoryLimiter.Enforce(trajectory, position, toward, Limits, 0.02, out _).Points[0].TimeFromStart.TotalSeconds;
        double reversing = TrajectoryLimiter.Enforce(trajectory, position, away, Limits, 0.02, out _).Points[0].TimeFromStart.TotalSeconds;

        // TimeSpan keeps 100 ns ticks.
        Assert.Equal(TrajectoryLimiter.MinimumDuration(0.008, 0, 0, Limits[2]), restToRest, 6);
        Assert.Equal(TrajectoryLimiter.MinimumDuration(0.008, 0.08, 0, Limits[2]), moving, 6);
        Assert.Equal(TrajectoryLimiter.MinimumDuration(0.008, -0.08, 0, Limits[2]), reversing, 6);
        Assert.True(moving < restToRest && restToRest < reversing, $"moving {moving}, at rest {restToRest}, reversing {reversing}");
    }

    [Theory]
    [InlineData(FetchJoints.ShoulderLift)]
    [InlineData(FetchJoints.WristFlex)]
    [InlineData(FetchJoints.TorsoLift)]
    public void Minimum_duration_with_an_end_velocity_is_the_first_time_the_end_state_is_reachable(string joint)
    {
        // Independent of the closed form: at a time t, the end states (x, v1) reachable from (0, v0)
        // under |acc| ≤ a, |v| ≤ vMax are, for each v1 with |v1 − v0| ≤ a·t, the displacements between
        // ReachableMax(v0 → v1) (full acceleration, cruise at the cap, full deceleration) and its
        // mirror. The first such t is found on a fine grid (a first reachable window narrower than
        // the grid step would be missed, which would show as a disagreement) and refined by bisection.
        var limit = ShippedLimits[FetchJoints.IndexOf(joint)];
        double vMax = limit.MaxVelocity, a = limit.MaxAcceleration;
        var rng = new Random(joint.Length);
        for (int trial = 0; trial < 150; trial++)
        {
            double d = (rng.NextDouble() * 2 - 1) * 3 * vMax * vMax / a;
            double v0 = (rng.NextDouble() * 2 - 1) * vMax, v1 = (rng.NextDouble() * 2 - 1) * vMax;
            double horizon = 3 * vMax / a + (Math.Abs(d) + 2 * vMax * vMax / a) / vMax + 1;
            const int Steps = 100_000;
            double step = horizon / Steps;
            int first = Enumerable.Range(1, Steps).First(k => Reachable(d, v0, v1, k * step, vMax, a));
            double lo = (first - 1) * step, hi = first * step;
            for (int i = 0; i < 60; i++)
            {
                double mid = (lo + hi) / 2;
                (Reachable(d, v0, v1, mid, vMax, a) ? ref hi : ref lo) = mid;
            }
            double bound = TrajectoryLimiter.MinimumDuration(d, v0, v1, limit);
            string where = $"{joint}, d {d}, v0 {v0}, v1 {v1}";
            // Reachability is decided on displacements to ~1e-15 m and the reachable edge moves at
            // speeds of order vMax here, so the bisected time is good to ~1e-12 s: 1e-6 relative is loose
            // for the closed form's rounding and tight against any wrong profile.
            Assert.True(Math.Abs(bound - hi) <= 1e-6 * Math.Max(hi, 1e-3), $"{where}: bound {bound} s, first reachable at {hi} s");
            // Swapping the ends (time reversal) or mirroring the motion changes nothing.
            Assert.Equal(bound, TrajectoryLimiter.MinimumDuration(d, v1, v0, limit), 9);
            Assert.Equal(bound, TrajectoryLimiter.MinimumDuration(-d, -v0, -v1, limit), 9);
        }
    }

    /// <summary>Whether (d, v1) can be reached from (0, v0) in exactly t under |acc| ≤ a, |v| ≤ vMax.</summary>
    private static bool Reachable(double d, double v0, double v1, double t, double vMax, double a)
    {
        if (a * t < Math.Abs(v1 - v0))
        {
            return false;
        }
        const double Slack = 1e-13;
        return -ReachableMax(-v0, -v1, t, vMax, a) - Slack <= d && d <= ReachableMax(v0, v1, t, vMax, a) + Slack;
    }

    /// <summary>The farthest forward displacement ending at v1 after t from v0: accelerate to the peak
    /// (a·t + v0 + v1)/2, or to vMax and cruise, then decelerate to v1.</summary>
    private static double ReachableMax(double v0, double v1, double t, double vMax, double a)
    {
        double peak = (a * t + v0 + v1) / 2;
        if (peak <= vMax)
        {
            return (2 * peak * peak - v0 * v0 - v1 * v1) / (2 * a);
        }
        double up = (vMax - v0) / a, down = (vMax - v1) / a;
        return (2 * vMax * vMax - v0 * v0 - v1 * v1) / (2 * a) + vMax * (t - up - down);
    }

    [Theory]
    [InlineData(0.5, 0.04)]
    [InlineData(0.9, 0.04)]
    [InlineData(-0.7, 1.0)]
    [InlineData(1.0, 0.04)]
    [InlineData(-1.0, 2.0)]
    public void Cruising_needs_no_more_than_its_own_duration(double speedShare, double duration)
    {
        // Moving at v through v·T takes at most T; faster is possible below the cap, not at it.
        var limit = ShippedLimits[FetchJoints.IndexOf(FetchJoints.ShoulderLift)];
        double v = speedShare * limit.MaxVelocity;
        double bound = TrajectoryLimiter.MinimumDuration(v * duration, v, v, limit);
        Assert.True(bound <= duration + 1e-12, $"cruise at {v} over {duration} s needs {bound} s");
        if (Math.Abs(speedShare) == 1)
        {
            Assert.Equal(duration, bound, 12);
        }
        else
        {
            Assert.True(bound < duration, $"below the cap the joint could go faster, yet needs {bound} s of {duration} s");
        }
    }

    [Fact]
    public void Streamed_goals_pass_unchanged_when_the_arm_is_where_the_streamer_put_it()
    {
        var streamer = new JointGoalStreamer(JointGroup.Arm, ShippedArmLimits, StreamPeriod);
        double[] start = [0.0, 0.2, 0.0, 0.5, 0.0, 0.3, 0.0];
        double[] ahead = [0.8, -0.3, 1.5, 1.2, -0.6, -0.7, 1.0];
        streamer.Reset(start);
        var position = new double[FetchJoints.Count];
        var velocity = new double[FetchJoints.Count];
        int twoPointGoals = 0;
        // Out to one target, and halfway there back to the start: acceleration, cruise, reversal, landing.
        for (int step = 0; step < 160; step++)
        {
            double[] target = step < 20 || step >= 80 ? ahead : start;
            for (int j = 0; j < 7; j++)
            {
                position[FetchJoints.IndexOf(FetchJoints.Arm[j])] = streamer.Position[j];
                velocity[FetchJoints.IndexOf(FetchJoints.Arm[j])] = streamer.Velocity[j];
            }
            var goal = streamer.Next(target);
            twoPointGoals += goal.Points.Count >= 2 ? 1 : 0;
            var limited = TrajectoryLimiter.Enforce(goal, position, velocity, ShippedLimits, SafetyConfig.Default().PositionMargin, out bool clamped);
            Assert.False(clamped, $"step {step}: retimed {goal.Points[^1].TimeFromStart} → {limited.Points[^1].TimeFromStart}");
            Assert.Same(goal, limited);
        }
        Assert.True(twoPointGoals > 100, $"only {twoPointGoals} goals were in motion");
    }

    [Fact]
    public void A_goal_that_reverses_a_fast_joint_within_one_period_is_retimed()
    {
        var limit = ShippedLimits[FetchJoints.IndexOf(FetchJoints.ElbowFlex)];
        double v = 0.9 * limit.MaxVelocity;
        var position = new double[FetchJoints.Count];
        var velocity = new double[FetchJoints.Count];
        int elbow = FetchJoints.IndexOf(FetchJoints.ElbowFlex), inArm = FetchJoints.Arm.ToList().IndexOf(FetchJoints.ElbowFlex);
        velocity[elbow] = v;
        // Where a reversal at full acceleration would leave the elbow after one period, at −v.
        var moving = new double[7];
        moving[inArm] = -v;
        var braked = new double[7];
        braked[inArm] = -v * v / limit.MaxAcceleration / 2;
        var goal = new JointTrajectory(JointGroup.Arm,
        [
            new TrajectoryPoint(new double[7], moving, StreamPeriod),
            new TrajectoryPoint(braked, new double[7], StreamPeriod + TimeSpan.FromSeconds(v / limit.MaxAcceleration)),
        ]);
        var limited = TrajectoryLimiter.Enforce(goal, position, velocity, ShippedLimits, SafetyConfig.Default().PositionMargin, out bool clamped);
        Assert.True(clamped);
        // Turning from +v to −v takes 2v/a at the least; the braking segment keeps its own time.
        double needed = TrajectoryLimiter.MinimumDuration(0, v, -v, limit);
        Assert.True(needed >= 2 * v / limit.MaxAcceleration - 1e-12, $"reversal needs {needed} s");
        Assert.Equal(needed, limited.Points[0].TimeFromStart.TotalSeconds, 6);
        Assert.Equal((goal.Points[1].TimeFromStart - goal.Points[0].TimeFromStart).TotalSeconds,
            (limited.Points[1].TimeFromStart - limited.Points[0].TimeFromStart).TotalSeconds, 6);
    }

    [Fact]
    public void A_segment_asked_in_a_time_it_cannot_be_made_in_is_retimed_past_that_window()
    {
        // The elbow moves at 1 rad/s and is asked to be 20 mm (rad) further, still at 1 rad/s, 40 ms
        // later: 20 ms would do at speed, but in 40 ms it would have to cover 20 mrad while keeping
        // 1 rad/s at both ends, and the least it can cover is v·T − a·T²/4 = 39.4 mrad; the cubic the
        // controller would run needs −75 rad/s². The next time it can be made is after running past
        // and coming back: (v0 + v1 + 2·sqrt(v² − a·d))/a.
        var limit = ShippedLimits[FetchJoints.IndexOf(FetchJoints.ElbowFlex)];
        int elbow = FetchJoints.IndexOf(FetchJoints.ElbowFlex), inArm = FetchJoints.Arm.ToList().IndexOf(FetchJoints.ElbowFlex);
        var position = new double[FetchJoints.Count];
        var velocity = new double[FetchJoints.Count];
        velocity[elbow] = 1.0;
        var through = new double[7];
        through[inArm] = 0.02;
        var moving = new double[7];
        moving[inArm] = 1.0;
        var rest = new double[7];
        rest[inArm] = 0.52;
        var goal = new JointTrajectory(JointGroup.Arm,
        [
            new TrajectoryPoint(through, moving, StreamPeriod),
            new TrajectoryPoint(rest, new double[7], StreamPeriod + TimeSpan.FromSeconds(1)),
        ]);
        Assert.True(TrajectoryLimiter.MinimumDuration(0.02, 1.0, 1.0, limit) < 0.04);

        var limited = TrajectoryLimiter.Enforce(goal, position, velocity, ShippedLimits, SafetyConfig.Default().PositionMargin, out bool clamped);
        Assert.True(clamped);
        double expected = (2 + 2 * Math.Sqrt(1 - limit.MaxAcceleration * 0.02)) / limit.MaxAcceleration;
        Assert.Equal(expected, limited.Points[0].TimeFromStart.TotalSeconds, 6);
        Assert.Equal(1.0, (limited.Points[1].TimeFromStart - limited.Points[0].TimeFromStart).TotalSeconds, 6);
    }

    [Fact]
    public void Each_segment_is_timed_to_the_first_time_at_or_after_the_request_it_can_be_made_in()
    {
        // Independent check with the reachability search above, on a joint without a range.
        int roll = FetchJoints.IndexOf(FetchJoints.UpperarmRoll), inArm = FetchJoints.Arm.ToList().IndexOf(FetchJoints.UpperarmRoll);
        var limit = ShippedLimits[roll];
        double vMax = limit.MaxVelocity, a = limit.MaxAcceleration;
        var rng = new Random(17);
        int retimed = 0, inWindow = 0;
        for (int trial = 0; trial < 400; trial++)
        {
            double d = (rng.NextDouble() * 2 - 1) * (rng.Next(2) == 0 ? 0.05 : 1.5);
            double v0 = (rng.NextDouble() * 2 - 1) * vMax, v1 = (rng.NextDouble() * 2 - 1) * vMax;
            if (trial % 2 == 0)
            {
                // Both ends moving toward the target: where unreachable windows are.
                (v0, v1) = (Math.CopySign(v0, d), Math.CopySign(v1, d));
            }
            var requested = TimeSpan.FromTicks(rng.NextInt64(1, 30_000_000));
            var position = new double[FetchJoints.Count];
            var velocity = new double[FetchJoints.Count];
            velocity[roll] = v0;
            var through = new double[7];
            through[inArm] = d;
            var moving = new double[7];
            moving[inArm] = v1;
            var goal = new JointTrajectory(JointGroup.Arm,
            [
                new TrajectoryPoint(through, moving, requested),
                // Ample time to brake from v1 and come back: this segment is never the one retimed.
                new TrajectoryPoint(through, new double[7], requested + TimeSpan.FromSeconds(100)),
            ]);
            var limited = TrajectoryLimiter.Enforce(goal, position, velocity, ShippedLimits, SafetyConfig.Default().PositionMargin, out bool clamped);
            double asked = requested.TotalSeconds, given = limited.Points[0].TimeFromStart.TotalSeconds;
            string where = $"d {d}, v0 {v0}, v1 {v1}, asked {asked} s, given {given} s";
            Assert.True(given >= asked, where);
            Assert.Equal(given > asked, clamped);
            // Point times are whole 100 ns ticks, cut: the edge of a reachable window may be one tick early.
            Assert.True(Reachable(d, v0, v1, given, vMax, a) || Reachable(d, v0, v1, given + 1e-7, vMax, a), $"{where}: not reachable then");
            for (int k = 0; k < 2000 && given > asked; k++)
            {
                double t = asked + (given - asked - 2e-7) * k / 2000;
                Assert.False(Reachable(d, v0, v1, t, vMax, a), $"{where}: already reachable at {t} s");
            }
            retimed += clamped ? 1 : 0;
            var (start, end) = TrajectoryLimiter.UnreachableWindow(d, v0, v1, limit);
            inWindow += start < asked && asked < end ? 1 : 0;
        }
        // Both kinds of retiming occur: too soon for the limits, and inside a window.
        Assert.True(retimed > 50 && inWindow > 10, $"retimed {retimed}, asked inside the window {inWindow}");
    }

    private static readonly TimeSpan StreamPeriod = TimeSpan.FromMilliseconds(40);
    private static readonly IReadOnlyList<JointLimit> ShippedLimits = ModelSafety.Limits(FetchModel.Load(), SafetyConfig.Default()).Joints;
    private static readonly JointLimit[] ShippedArmLimits = FetchJoints.Arm.Select(j => ShippedLimits[FetchJoints.IndexOf(j)]).ToArray();
}
