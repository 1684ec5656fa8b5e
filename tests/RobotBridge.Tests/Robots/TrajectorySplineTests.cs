using RobotBridge.Robots;

namespace RobotBridge.Tests.Robots;

/// <summary>The executable trajectory is built and sampled as robot_controllers' FollowJointTrajectory does.</summary>
public class TrajectorySplineTests
{
    private static readonly bool[] NotContinuous = [false];

    private static JointTrajectory Torso(params TrajectoryPoint[] points) => new(JointGroup.Torso, points);

    private static (double Q, double Qd, double Qdd) At(TrajectorySpline spline, double t)
    {
        double[] q = new double[1], qd = new double[1], qdd = new double[1];
        Assert.True(spline.Sample(t, q, qd, qdd), $"not started at {t}");
        return (q[0], qd[0], qdd[0]);
    }

    [Fact]
    public void A_single_point_starts_from_the_measured_position_at_rest_and_holds_the_point_after_its_time()
    {
        var spline = TrajectorySpline.Start(Torso(new TrajectoryPoint([0.3], null, TimeSpan.FromSeconds(2))), 10, 10, [0.1], NotContinuous);
        Assert.Equal(2, spline.Knots.Count);
        Assert.Equal(0.1, At(spline, 10).Q, 12);
        Assert.Equal(0.2, At(spline, 11).Q, 12); // linear: positions only
        Assert.Equal(0.3, At(spline, 15).Q, 12);
        Assert.Equal(12, spline.EndTime, 12);
    }

    [Fact]
    public void Points_with_velocities_give_cubic_segments_and_with_accelerations_quintic_ones()
    {
        var cubic = TrajectorySpline.Start(Torso(new TrajectoryPoint([1.0], [0.0], TimeSpan.FromSeconds(1))), 0, 0, [0.0], NotContinuous);
        // Cubic from rest to rest: s(t) = 3t² − 2t³, velocity 1.5 at the middle.
        Assert.Equal(0.5, At(cubic, 0.5).Q, 12);
        Assert.Equal(1.5, At(cubic, 0.5).Qd, 12);
        Assert.Equal(0.0, At(cubic, 0.0).Qd, 12);

        var quintic = TrajectorySpline.Start(Torso(new TrajectoryPoint([1.0], [0.0], TimeSpan.FromSeconds(1)) { Accelerations = [0.0] }), 0, 0, [0.0], NotContinuous);
        // Quintic rest to rest: s(t) = 10t³ − 15t⁴ + 6t⁵, velocity 1.875 at the middle, zero acceleration at both ends.
        Assert.Equal(0.5, At(quintic, 0.5).Q, 12);
        Assert.Equal(1.875, At(quintic, 0.5).Qd, 12);
        Assert.Equal(0.0, At(quintic, 1.0).Qdd, 9);
        Assert.Equal(0.0, At(quintic, 0.0).Qdd, 9);
    }

    [Fact]
    public void A_future_start_time_places_the_points_and_the_current_position_starts_the_motion_now()
    {
        var spline = TrajectorySpline.Start(Torso(new TrajectoryPoint([0.0], null, TimeSpan.Zero), new TrajectoryPoint([0.4], null, TimeSpan.FromSeconds(1))),
            startTime: 5, now: 2, measured: [0.0], NotContinuous);
        Assert.Equal(3, spline.Knots.Count);
        Assert.Equal(2, spline.StartTime);
        Assert.Equal(0.0, At(spline, 4.9).Q, 12);
        Assert.Equal(0.2, At(spline, 5.5).Q, 12);
        Assert.Equal(6, spline.EndTime);
        Assert.False(spline.Sample(1.0, new double[1], new double[1], new double[1]), "sampled before the first knot");
    }

    [Fact]
    public void A_preempting_goal_is_spliced_onto_the_running_ones_last_sample_without_a_stop()
    {
        var running = TrajectorySpline.Start(Torso(new TrajectoryPoint([1.0], null, TimeSpan.FromSeconds(2))), 0, 0, [0.0], NotContinuous);
        var spliced = TrajectorySpline.Splice(running, Torso(new TrajectoryPoint([0.0], null, TimeSpan.FromSeconds(1))), 1, 1, NotContinuous);
        // From the setpoint at the splice time (0.5), not from a measured position or the old start.
        Assert.Equal(0.5, At(spliced, 1.0).Q, 12);
        Assert.Equal(0.25, At(spliced, 1.5).Q, 12);
        Assert.Equal(2.0, spliced.EndTime, 12);
    }

    [Fact]
    public void A_longer_running_trajectory_keeps_its_knots_until_the_new_one_starts()
    {
        var running = TrajectorySpline.Start(Torso(
            new TrajectoryPoint([0.1], null, TimeSpan.FromSeconds(1)),
            new TrajectoryPoint([0.2], null, TimeSpan.FromSeconds(2)),
            new TrajectoryPoint([0.3], null, TimeSpan.FromSeconds(3))), 0, 0, [0.0], NotContinuous);
        // New goal stamped to start at 2.5 s, its point at 3.5 s: the old knots up to then stay, with the one
        // before now (1 s) as the lead-in.
        var spliced = TrajectorySpline.Splice(running, Torso(new TrajectoryPoint([0.0], null, TimeSpan.FromSeconds(1))), 2.5, 1.5, NotContinuous);
        Assert.Equal([1.0, 2.0, 3.0, 3.5], spliced.Knots.Select(k => k.Time));
        Assert.Equal(0.15, At(spliced, 1.5).Q, 12);
        Assert.Equal(0.15, At(spliced, 3.25).Q, 12);
    }

    [Fact]
    public void Continuous_joints_turn_the_shortest_way_round()
    {
        // upperarm_roll at 3.0 rad, goal −3.0 rad: 0.28 rad forward through ±π, not 6 rad back.
        var spline = TrajectorySpline.Start(new JointTrajectory(JointGroup.Head, [new TrajectoryPoint([-3.0, -3.0], null, TimeSpan.FromSeconds(1))]),
            0, 0, [3.0, 3.0], [true, false]);
        Assert.Equal(2 * Math.PI - 3.0, spline.Knots[^1].Q[0], 12);
        Assert.Equal(-3.0, spline.Knots[^1].Q[1], 12);
        Assert.Equal(2 * Math.PI - 6.0, TrajectorySpline.ShortestAngularDistance(3.0, -3.0), 12);
        Assert.Equal(-0.5, TrajectorySpline.ShortestAngularDistance(0.5 + 4 * Math.PI, 0.0), 12);
    }
}
