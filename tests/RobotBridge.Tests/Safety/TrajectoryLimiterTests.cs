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
}
