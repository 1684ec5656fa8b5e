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
    public void Command_latency_delays_when_the_controllers_see_a_command()
    {
        using var twin = new FetchTwin(new FetchTwinOptions { CommandLatency = TimeSpan.FromMilliseconds(100) });
        twin.SendTrajectory(new JointTrajectory(JointGroup.Head, [new TrajectoryPoint([0.5, 0.0], null, TimeSpan.FromSeconds(0.5))]));
        twin.Clock.WaitUntil(TimeSpan.FromMilliseconds(90));
        Assert.Equal(TrajectoryStatus.Idle, twin.GetTrajectoryStatus(JointGroup.Head));
        twin.Clock.WaitUntil(TimeSpan.FromMilliseconds(110));
        Assert.Equal(TrajectoryStatus.Active, twin.GetTrajectoryStatus(JointGroup.Head));
        twin.Clock.WaitUntil(TimeSpan.FromSeconds(1.2));
        Assert.Equal(TrajectoryStatus.Succeeded, twin.GetTrajectoryStatus(JointGroup.Head));
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

public class FetchTwinClockAndKnobTests
{
    [Fact]
    public void Real_time_mode_keeps_sim_time_on_the_wall_clock()
    {
        using var twin = new FetchTwin(new FetchTwinOptions { ClockMode = TwinClockMode.RealTime });
        Assert.False(twin.Clock.IsVirtual);
        var wall = System.Diagnostics.Stopwatch.StartNew();
        TimeSpan target = twin.Clock.Now + TimeSpan.FromMilliseconds(300);
        twin.Clock.WaitUntil(target);
        Assert.True(twin.Clock.Now >= target);
        Assert.True(wall.Elapsed >= TimeSpan.FromMilliseconds(200), $"300 ms of sim time passed in {wall.Elapsed.TotalMilliseconds} ms of wall time");
        Thread.Sleep(200);
        double lag = (wall.Elapsed - twin.Clock.Now).TotalSeconds;
        Assert.True(Math.Abs(lag) < 0.5, $"sim time is {lag:F3} s behind the wall clock");
    }

    [Fact]
    public void Camera_pose_and_light_randomisation_follow_the_seed()
    {
        var knobs = new DomainRandomisation { CameraPositionJitter = 0.01, CameraRotationJitter = 0.02, LightScale = 0.3 };
        using var twin = new FetchTwin(new FetchTwinOptions { Seed = 5, Randomisation = knobs });
        using var nominal = new FetchTwin();
        double[] pos = twin.Model.CamPos.ToArray(), quat = twin.Model.CamQuat.ToArray();
        float[] light = twin.Model.LightDiffuse.ToArray();
        Assert.NotEqual(nominal.Model.CamPos.ToArray(), pos);
        Assert.NotEqual(nominal.Model.CamQuat.ToArray(), quat);
        Assert.NotEqual(nominal.Model.LightDiffuse.ToArray(), light);
        for (int k = 0; k < 3; k++)
        {
            Assert.InRange(pos[k] - nominal.Model.CamPos[k], -0.01, 0.01);
        }
        twin.Reset(6);
        twin.Reset(5);
        Assert.Equal(pos, twin.Model.CamPos.ToArray());
        Assert.Equal(quat, twin.Model.CamQuat.ToArray());
        Assert.Equal(light, twin.Model.LightDiffuse.ToArray());
    }

    [Fact]
    public void Invalid_options_are_refused_with_the_reason()
    {
        var error = Assert.Throws<ArgumentException>(() => new FetchTwin(new FetchTwinOptions { Randomisation = new DomainRandomisation { MassScale = 1.5 } }));
        Assert.Contains("MassScale", error.Message);
        Assert.Throws<ArgumentException>(() => new FetchTwin(new FetchTwinOptions { Camera = HeadCameraOptions.Policy(0) }));
        Assert.Throws<ArgumentException>(() => new FetchTwin(new FetchTwinOptions { ObservationLatency = TimeSpan.FromSeconds(-1) }));
    }
}

public class FetchTwinSceneTests
{
    [Fact]
    public void Stop_cancels_goals_and_holds_where_the_robot_is()
    {
        using var twin = new FetchTwin();
        var state = new RobotState();
        twin.SendTrajectory(new JointTrajectory(JointGroup.Arm,
            [new TrajectoryPoint([1.32, -0.6, -0.2, 1.72, 0.0, 1.66, 0.0], null, TimeSpan.FromSeconds(2.0))]));
        twin.SendBaseTwist(new Twist(-0.3, 0, 0, 0, 0, 0));
        twin.Clock.WaitUntil(TimeSpan.FromSeconds(0.2));
        twin.Stop("test stop");
        Assert.Equal("test stop", twin.LastStopReason);
        Assert.Equal(TrajectoryStatus.Aborted, twin.GetTrajectoryStatus(JointGroup.Arm));
        twin.Clock.WaitUntil(TimeSpan.FromSeconds(0.4));
        twin.ReadState(state);
        double lift = state.Position[FetchJoints.IndexOf(FetchJoints.ShoulderLift)], x = state.BaseX;
        twin.Clock.WaitUntil(TimeSpan.FromSeconds(1.5));
        twin.ReadState(state);
        Assert.Equal(lift, state.Position[FetchJoints.IndexOf(FetchJoints.ShoulderLift)], 2);
        Assert.Equal(x, state.BaseX, 3);
    }

    [Fact]
    public void Restore_returns_robot_and_objects_to_a_captured_state()
    {
        using var twin = new FetchTwin();
        twin.Clock.WaitUntil(TimeSpan.FromSeconds(0.2));
        TwinSnapshot snapshot = twin.Capture();
        ScenePose cube = twin.GetObjectPose(SceneObject.Cube);
        var before = new RobotState();
        twin.ReadState(before);

        twin.SetObjectPose(SceneObject.Cube, ScenePose.At(0.5, 0.2, 0.6));
        twin.SetTable(TableLayout.Slide);
        twin.SendTrajectory(new JointTrajectory(JointGroup.Head, [new TrajectoryPoint([0.5, 0.5], null, TimeSpan.FromSeconds(0.5))]));
        twin.Clock.WaitUntil(TimeSpan.FromSeconds(1.0));

        twin.Restore(snapshot);
        Assert.Equal(TableLayout.Standard, twin.Table);
        Assert.Equal(cube.Z, twin.GetObjectPose(SceneObject.Cube).Z, 6);
        var after = new RobotState();
        twin.ReadState(after);
        Assert.Equal(before.Position[FetchJoints.IndexOf(FetchJoints.HeadPan)], after.Position[FetchJoints.IndexOf(FetchJoints.HeadPan)], 6);
        Assert.True(twin.Clock.Now >= TimeSpan.FromSeconds(1.0));
    }

    [Fact]
    public void The_slide_table_replaces_the_standard_one()
    {
        using var twin = new FetchTwin();
        twin.SetTable(TableLayout.Slide);
        // A puck set down where only the long slide table reaches stays on it.
        twin.SetObjectPose(SceneObject.Puck, ScenePose.At(1.5, 0.0, 0.42));
        twin.Clock.WaitUntil(TimeSpan.FromSeconds(1.0));
        Assert.InRange(twin.GetObjectPose(SceneObject.Puck).Z, 0.41, 0.43);
        twin.SetTable(TableLayout.Standard);
        twin.Clock.WaitUntil(TimeSpan.FromSeconds(2.0));
        Assert.True(twin.GetObjectPose(SceneObject.Puck).Z < 0.1, "with the slide table gone the puck should fall to the floor");
    }

    /// <summary>A puck set down on the slide table stays where it was put, at its own height. MuJoCo 2.2 meets
    /// a cylinder and a box at one point: a puck resting on its flat face rocked on it, sank 6 mm and crept
    /// away at 0.5 mm/s and faster (2.6 mm/s with the scene's noslip). It stands on a ring of small feet.</summary>
    [Fact]
    public void A_puck_at_rest_on_the_slide_table_stays_put()
    {
        using var twin = new FetchTwin();
        twin.SetTable(TableLayout.Slide);
        twin.SetObjectPose(SceneObject.Puck, ScenePose.At(0.8, 0.25, 0.42));
        twin.Clock.WaitUntil(TimeSpan.FromSeconds(0.5));
        ScenePose settled = twin.GetObjectPose(SceneObject.Puck);
        twin.Clock.WaitUntil(TimeSpan.FromSeconds(5.5));
        ScenePose later = twin.GetObjectPose(SceneObject.Puck);
        double moved = Math.Sqrt((later.X - settled.X) * (later.X - settled.X) + (later.Y - settled.Y) * (later.Y - settled.Y));
        Assert.True(moved < 1e-4, $"the resting puck crept {1000 * moved:F2} mm in 5 s");
        Assert.InRange(later.Z, 0.419, 0.421); // the slide table's top at 0.4 plus the puck's half-height 0.02
    }
}
