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
        Assert.Equal(expected, TrajectoryLimiter.MinimumDuration(distance, Limits[2]), 6);
    }
}
