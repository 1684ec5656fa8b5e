using RobotBridge.Robots;
using RobotBridge.Sim.Controllers;
using RobotBridge.Sim.Twin;

namespace RobotBridge.Sim.Tests.Sim;

public class FetchTwinDeterminismAndFaultTests
{
    private static FetchTwinOptions Randomised(int seed) => new()
    {
        Seed = seed,
        Noise = new ObservationNoise(0.001, 0.01),
        Randomisation = new DomainRandomisation { FrictionScale = 0.2, MassScale = 0.1, DampingScale = 0.1, GainScale = 0.1 },
        CommandLatency = TimeSpan.FromMilliseconds(10),
        ObservationLatency = TimeSpan.FromMilliseconds(20),
    };

    /// <summary>Drives a fixed command script and records every joint-state sample and the cube pose.</summary>
    private static List<double> Run(FetchTwinOptions options)
    {
        using var twin = new FetchTwin(options);
        var state = new RobotState();
        var trace = new List<double>();
        twin.SendTrajectory(new JointTrajectory(JointGroup.Arm,
            [new TrajectoryPoint([1.32, -0.6, -0.2, 1.72, 0.0, 1.66, 0.0], null, TimeSpan.FromSeconds(1.0))]));
        twin.SendGripper(0.02, 30);
        for (int tick = 1; tick <= 60; tick++)
        {
            if (tick > 30)
            {
                twin.SendCartesianTwist(new Twist(0.05, 0.02, -0.03, 0, 0, 0.2));
                twin.SendBaseTwist(new Twist(-0.2, 0, 0, 0, 0, 0.3));
            }
            twin.Clock.WaitUntil(TimeSpan.FromMilliseconds(40 * tick));
            twin.ReadState(state);
            trace.AddRange(state.Position);
            trace.AddRange(state.Velocity);
            trace.AddRange(state.Effort);
            trace.Add(state.BaseX);
            trace.Add(state.BaseYaw);
            ScenePose cube = twin.GetObjectPose(SceneObject.Cube);
            trace.AddRange([cube.X, cube.Y, cube.Z]);
        }
        return trace;
    }

    [Fact]
    public void Same_seed_gives_the_same_trajectory_bit_for_bit()
    {
        List<double> first = Run(Randomised(42));
        List<double> second = Run(Randomised(42));
        Assert.Equal(first.Count, second.Count);
        for (int i = 0; i < first.Count; i++)
        {
            Assert.True(BitConverter.DoubleToInt64Bits(first[i]) == BitConverter.DoubleToInt64Bits(second[i]), $"sample {i}: {first[i]:R} vs {second[i]:R}");
        }
        List<double> other = Run(Randomised(43));
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void Reset_with_a_seed_redraws_randomisation_reproducibly()
    {
        using var twin = new FetchTwin(Randomised(1));
        int body = twin.Model.RequireId(RobotBridge.Sim.Interop.MjObject.Body, "wrist_flex_link");
        double first = twin.Model.BodyMass[body];
        twin.Reset(2);
        double second = twin.Model.BodyMass[body];
        twin.Reset(1);
        Assert.Equal(first, twin.Model.BodyMass[body]);
        Assert.NotEqual(first, second);
        Assert.InRange(second / 1.725, 0.9, 1.1);
    }

    [Fact]
    public void Observation_latency_delays_the_reported_state()
    {
        using var twin = new FetchTwin(new FetchTwinOptions { ObservationLatency = TimeSpan.FromMilliseconds(100) });
        var state = new RobotState();
        twin.Clock.WaitUntil(TimeSpan.FromSeconds(1));
        twin.ReadState(state);
        Assert.True(twin.Clock.Now - state.Stamp >= TimeSpan.FromMilliseconds(100), $"stamp {state.Stamp} at {twin.Clock.Now}");
        Assert.True(twin.Clock.Now - state.Stamp <= TimeSpan.FromMilliseconds(110));
    }

    [Fact]
    public void Joint_state_is_published_at_the_real_robots_rate_in_sim_time()
    {
        using var twin = new FetchTwin();
        var state = new RobotState();
        var stamps = new HashSet<TimeSpan>();
        for (int step = 1; step <= 500; step++)
        {
            twin.Clock.WaitUntil(TimeSpan.FromMilliseconds(2 * step));
            twin.ReadState(state);
            stamps.Add(state.Stamp);
        }
        // One second of sim time at 200 Hz.
        Assert.InRange(stamps.Count, 199, 202);
    }

    [Fact]
    public void A_diverging_simulation_is_detected_reported_and_reset_to_a_safe_state()
    {
        using var twin = new FetchTwin();
        var faults = new List<TwinFault>();
        twin.Faulted += faults.Add;
        twin.SendTrajectory(new JointTrajectory(JointGroup.Arm,
            [new TrajectoryPoint([1.32, -0.6, -0.2, 1.72, 0.0, 1.66, 0.0], null, TimeSpan.FromSeconds(2.0))]));
        twin.Clock.WaitUntil(TimeSpan.FromSeconds(0.5));

        // Blow the state up the way an unstable contact would: an absurd velocity.
        twin.Data.Qvel[0] = 1e12;
        twin.Clock.WaitUntil(TimeSpan.FromSeconds(0.6));

        Assert.Single(faults);
        Assert.Single(twin.Faults);
        Assert.Contains("qvel", faults[0].Reason);
        Assert.Equal(TrajectoryStatus.Aborted, twin.GetTrajectoryStatus(JointGroup.Arm));
        var state = new RobotState();
        twin.Clock.WaitUntil(TimeSpan.FromSeconds(1.5));
        twin.ReadState(state);
        Assert.All(state.Position, q => Assert.True(double.IsFinite(q)));
        Assert.Equal(1.40, state.Position[FetchJoints.IndexOf(FetchJoints.ShoulderLift)], 1);
        Assert.True(Math.Abs(state.BaseX) < 1e-3);
        Assert.True(twin.Clock.Now >= TimeSpan.FromSeconds(1.5), "the clock must keep running forward after a reset");
    }

    [Fact]
    public void Runstop_freezes_the_robot_and_ignores_motion_commands()
    {
        using var twin = new FetchTwin();
        var state = new RobotState();
        twin.SendTrajectory(new JointTrajectory(JointGroup.Arm,
            [new TrajectoryPoint([1.32, -0.6, -0.2, 1.72, 0.0, 1.66, 0.0], null, TimeSpan.FromSeconds(2.0))]));
        twin.Clock.WaitUntil(TimeSpan.FromSeconds(1.0));
        twin.SetRunstop(true);
        twin.ReadState(state);
        double frozen = state.Position[FetchJoints.IndexOf(FetchJoints.ShoulderLift)];
        twin.SendBaseTwist(new Twist(-0.5, 0, 0, 0, 0, 0));
        twin.Clock.WaitUntil(TimeSpan.FromSeconds(2.5));
        twin.ReadState(state);
        Assert.True(state.Runstopped);
        Assert.Equal(TrajectoryStatus.Aborted, twin.GetTrajectoryStatus(JointGroup.Arm));
        Assert.Equal(frozen, state.Position[FetchJoints.IndexOf(FetchJoints.ShoulderLift)], 2);
        Assert.True(Math.Abs(state.BaseX) < 1e-3);
    }
}
