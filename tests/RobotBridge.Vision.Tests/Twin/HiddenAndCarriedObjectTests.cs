using RobotBridge.Model;
using RobotBridge.Robots;
using RobotBridge.Sim.Scene;
using RobotBridge.Sim.Tasks;
using RobotBridge.Sim.Twin;
using RobotBridge.Tasks;
using RobotBridge.Vision.Tracking;

namespace RobotBridge.Vision.Tests.Twin;

/// <summary>What the tracker says when the newest frame misses the tag, from the arm's own kinematics: an
/// object the arm hides and has not come near is still where it was seen; one the arm may have touched is
/// let go of; one seen in the closed grasp moves with the gripper until the fingers open.</summary>
public class HiddenAndCarriedObjectTests
{
    private static readonly RobotModel Model = FetchModel.Load();
    private static readonly Vec3 Cube = new(0.75, 0.0, FetchTaskSpec.TableTop + 0.025);

    private static FetchTwin TwinLookingAtTable() => CameraTwin.LookingAtTable(Model);

    /// <summary>Joints (FetchJoints.All order) with the grip site at <paramref name="grip"/>, gripper down, the head
    /// as the tasks aim it and the fingers at <paramref name="fingerEach"/> each.</summary>
    private static double[] ArmAt(Vec3 grip, ArmPosture posture, double fingerEach = 0)
    {
        double[] tucked = ScenePoses.TuckedLookingAtTable(Model);
        double[] q = new FetchArmKinematics(Model).SolveStartJoints(grip, FetchTaskEnv.StartTorso,
            tucked[FetchJoints.IndexOf(FetchJoints.HeadPan)], tucked[FetchJoints.IndexOf(FetchJoints.HeadTilt)], posture);
        q[FetchJoints.IndexOf(FetchJoints.LGripperFinger)] = fingerEach;
        q[FetchJoints.IndexOf(FetchJoints.RGripperFinger)] = fingerEach;
        return q;
    }

    /// <summary>Sends the arm, elbow out, to put the grip site at <paramref name="grip"/> in <paramref name="seconds"/>.</summary>
    private static void MoveArmTo(FetchTwin twin, Vec3 grip, double seconds)
    {
        double[] q = ArmAt(grip, ArmPosture.ElbowOut);
        twin.SendTrajectory(new JointTrajectory(JointGroup.Arm, [new TrajectoryPoint([.. FetchJoints.Arm.Select(j => q[FetchJoints.IndexOf(j)])], null, TimeSpan.FromSeconds(seconds))]));
    }

    /// <summary>Polls every 40 ms, <paramref name="polls"/> times: each answer's kind, and how far each answer of
    /// <paramref name="kind"/> was from the twin's truth.</summary>
    private static (List<TrackerAnswer> Kinds, List<double> Errors) Follow(FetchTwin twin, CameraObjectTracker tracker, TrackerAnswer kind, int polls)
    {
        var truth = new TwinObjectTracker(twin, SceneObject.Cube);
        var kinds = new List<TrackerAnswer>();
        var errors = new List<double>();
        for (int i = 0; i < polls; i++)
        {
            var (tracked, answer, pose) = Poll(twin, tracker, 0.04)[^1];
            kinds.Add(answer);
            if (tracked && answer == kind && truth.TryGetObjectState(out ObjectState real))
            {
                errors.Add((pose.Position - real.Position).Length);
                Assert.True(kind != TrackerAnswer.Carried || twin.Clock.Now - pose.Stamp < TimeSpan.FromSeconds(0.05),
                    "a carried pose is stamped with the joint state it was placed from");
            }
        }
        return (kinds, errors);
    }

    /// <summary>Polls every 40 ms for <paramref name="seconds"/>; every answer as (tracked, kind, pose).</summary>
    private static List<(bool Tracked, TrackerAnswer Kind, ObjectState Pose)> Poll(FetchTwin twin, CameraObjectTracker tracker, double seconds)
    {
        var answers = new List<(bool, TrackerAnswer, ObjectState)>();
        for (TimeSpan end = twin.Clock.Now + TimeSpan.FromSeconds(seconds); twin.Clock.Now < end;)
        {
            twin.Clock.WaitUntil(twin.Clock.Now + TimeSpan.FromMilliseconds(40));
            bool tracked = tracker.TryGetObjectState(out ObjectState pose);
            answers.Add((tracked, tracker.LastAnswer, pose));
        }
        return answers;
    }

    [Fact]
    public void A_cube_behind_the_arm_stays_where_it_was_seen_until_the_arm_comes_near_it()
    {
        using FetchTwin twin = TwinLookingAtTable();
        using var tracker = new CameraObjectTracker(twin, Model, CameraTrackerConfig.Default(), "cube");
        twin.SetObjectPose(SceneObject.Cube, ScenePose.At(Cube.X, Cube.Y, Cube.Z));
        var (seenOk, _, measured) = Poll(twin, tracker, 0.3)[^1];
        Assert.True(seenOk, $"cube not tracked: {tracker.LastMiss}");

        // The gripper on the camera's line of sight to the cube, 40 cm from it: the arm hides the cube.
        twin.SetRobotJoints(ArmAt(new Vec3(0.45, 0.0, 0.73), ArmPosture.ElbowUp));
        var hidden = Poll(twin, tracker, 1.0); // more than hold_for (0.3 s)

        Assert.Equal(TrackerMiss.NoTag, tracker.LastMiss);
        Assert.All(hidden.Skip(1), a => Assert.Equal((true, TrackerAnswer.Hidden), (a.Tracked, a.Kind)));
        Assert.Equal(measured.Stamp, hidden[^1].Pose.Stamp); // its age says when it was seen
        Assert.True((hidden[^1].Pose.Position - measured.Position).Length < 1e-9);

        // The closed gripper just above it, still in front of it: near enough to have touched it, so no
        // longer "hidden", but too high to push it: the estimate stays where it was seen.
        twin.SetRobotJoints(ArmAt(new Vec3(0.68, 0.0, 0.53), ArmPosture.ElbowUp));
        Poll(twin, tracker, 0.1);
        twin.SetRobotJoints(ArmAt(new Vec3(0.45, 0.0, 0.73), ArmPosture.ElbowUp));
        var touched = Poll(twin, tracker, 0.4);

        Assert.DoesNotContain(touched, a => a.Kind == TrackerAnswer.Hidden);
        Assert.Equal((true, TrackerAnswer.Pushed), (touched[^1].Tracked, touched[^1].Kind));
        Assert.True((touched[^1].Pose.Position - measured.Position).Length < 1e-9);
    }

    [Fact]
    public void A_cube_gone_from_a_clear_view_is_not_taken_to_be_hidden()
    {
        using FetchTwin twin = TwinLookingAtTable();
        using var tracker = new CameraObjectTracker(twin, Model, CameraTrackerConfig.Default(), "cube");
        twin.SetObjectPose(SceneObject.Cube, ScenePose.At(Cube.X, Cube.Y, Cube.Z));
        Assert.True(Poll(twin, tracker, 0.3)[^1].Tracked, $"cube not tracked: {tracker.LastMiss}");

        // Taken away while the arm, tucked, hides nothing: the camera sees the empty table.
        twin.SetObjectPose(SceneObject.Cube, ScenePose.At(-1.0, 0.5, 0.025));
        var answers = Poll(twin, tracker, 0.6);

        Assert.DoesNotContain(answers, a => a.Kind == TrackerAnswer.Hidden);
        Assert.Equal((false, TrackerMiss.NoTag), (answers[^1].Tracked, tracker.LastMiss));
    }

    [Fact]
    public void A_cube_seen_in_the_closed_grasp_moves_with_the_gripper_out_of_view_until_the_fingers_open()
    {
        using FetchTwin twin = TwinLookingAtTable();
        using var tracker = new CameraObjectTracker(twin, Model, CameraTrackerConfig.Default(), "cube");
        var truth = new TwinObjectTracker(twin, SceneObject.Cube);
        var cube = new Vec3(0.6, 0.05, FetchTaskSpec.TableTop + 0.025);
        // Elbow out, fingers open around the cube standing on the table (the gripper covers its top tag, and
        // its side tags are too foreshortened to read there), then closed on it.
        twin.SetRobotJoints(ArmAt(cube, ArmPosture.ElbowOut, fingerEach: 0.05));
        twin.SetObjectPose(SceneObject.Cube, ScenePose.At(cube.X, cube.Y, cube.Z));
        Poll(twin, tracker, 0.2);
        twin.SendGripper(0, 60);
        var grasp = Poll(twin, tracker, 1.0);
        Assert.DoesNotContain(grasp, a => a.Kind is TrackerAnswer.Seen or TrackerAnswer.Carried); // never seen in the grasp yet

        // Lift it 45 cm: on the way the face toward the robot shows (seen in the grasp), then it leaves the view.
        MoveArmTo(twin, cube + new Vec3(0, 0, 0.45), 3);
        var (kinds, carried) = Follow(twin, tracker, TrackerAnswer.Carried, 100);
        int seen = kinds.Count(k => k == TrackerAnswer.Seen);
        Assert.True(truth.TryGetObjectState(out ObjectState lifted));
        Assert.True(lifted.Position.Z > cube.Z + 0.35, $"the twin did not lift the cube: z {lifted.Position.Z:F3}");
        Assert.True(seen > 0, "the cube was never seen on the way up");
        Assert.Equal(TrackerAnswer.Carried, tracker.LastAnswer);
        Assert.True(carried.Count >= 20, $"only {carried.Count} carried answers");
        Assert.True(carried.Max() < 0.015, $"carried pose off the cube by up to {carried.Max() * 1000:F1} mm");

        // Let go: the grasp is over (no carried pose once the fingers have opened past the cube), and the
        // cube is where the camera sees it again, on the table it fell onto.
        twin.SendGripper(0.1, 60);
        var released = Poll(twin, tracker, 1.5);
        Assert.DoesNotContain(released.Skip(5), a => a.Kind == TrackerAnswer.Carried);
        Assert.True(truth.TryGetObjectState(out ObjectState fallen));
        Assert.Equal(TrackerAnswer.Seen, released[^1].Kind);
        Assert.True((released[^1].Pose.Position - fallen.Position).Length < 0.01);
    }

    [Fact]
    public void A_cube_the_fingers_close_on_where_it_was_last_seen_is_carried_before_it_is_seen_in_the_grasp()
    {
        using FetchTwin twin = TwinLookingAtTable();
        using var tracker = new CameraObjectTracker(twin, Model, CameraTrackerConfig.Default(), "cube");
        var truth = new TwinObjectTracker(twin, SceneObject.Cube);
        var cube = new Vec3(0.6, 0.05, FetchTaskSpec.TableTop + 0.025);
        twin.SetObjectPose(SceneObject.Cube, ScenePose.At(cube.X, cube.Y, cube.Z));
        Assert.True(Poll(twin, tracker, 0.3)[^1].Tracked, $"cube not tracked: {tracker.LastMiss}"); // seen, arm tucked

        // The gripper comes down around it (fingers open, hiding its top), closes, and lifts it 15 cm.
        twin.SetRobotJoints(ArmAt(cube, ArmPosture.ElbowOut, fingerEach: 0.05));
        Poll(twin, tracker, 0.2);
        twin.SendGripper(0, 60);
        var grasp = Poll(twin, tracker, 1.0);
        Assert.DoesNotContain(grasp, a => a.Kind == TrackerAnswer.Seen);
        Assert.Equal(TrackerAnswer.Carried, grasp[^1].Kind); // the fingers stopped at its width where it was

        MoveArmTo(twin, cube + new Vec3(0, 0, 0.15), 1.5);
        var (_, carried) = Follow(twin, tracker, TrackerAnswer.Carried, 50);
        Assert.True(truth.TryGetObjectState(out ObjectState lifted) && lifted.Position.Z > cube.Z + 0.1, "the twin did not lift the cube");
        Assert.True(carried.Count >= 10, $"only {carried.Count} carried answers");
        Assert.True(carried.Max() < 0.015, $"carried pose off the cube by up to {carried.Max() * 1000:F1} mm");
    }

    [Fact]
    public void Fingers_closing_on_nothing_where_the_cube_was_carry_nothing()
    {
        using FetchTwin twin = TwinLookingAtTable();
        using var tracker = new CameraObjectTracker(twin, Model, CameraTrackerConfig.Default(), "cube");
        var cube = new Vec3(0.6, 0.05, FetchTaskSpec.TableTop + 0.025);
        twin.SetObjectPose(SceneObject.Cube, ScenePose.At(cube.X, cube.Y, cube.Z));
        Assert.True(Poll(twin, tracker, 0.3)[^1].Tracked, $"cube not tracked: {tracker.LastMiss}");

        // The cube is taken away unseen (the arm comes down where it was); the fingers close on nothing,
        // passing through its width on the way to shut.
        twin.SetRobotJoints(ArmAt(cube, ArmPosture.ElbowOut, fingerEach: 0.05));
        twin.SetObjectPose(SceneObject.Cube, ScenePose.At(-1.0, 0.5, 0.025));
        Poll(twin, tracker, 0.2);
        twin.SendGripper(0, 60);
        var closing = Poll(twin, tracker, 1.5);

        Assert.DoesNotContain(closing, a => a.Kind == TrackerAnswer.Carried);
        Assert.False(closing[^1].Tracked);
    }

    [Fact]
    public void A_cube_pushed_out_of_sight_by_the_closed_gripper_is_estimated_ahead_of_it()
    {
        using FetchTwin twin = TwinLookingAtTable();
        using var tracker = new CameraObjectTracker(twin, Model, CameraTrackerConfig.Default(), "cube");
        var truth = new TwinObjectTracker(twin, SceneObject.Cube);
        var cube = new Vec3(0.6, 0.0, FetchTaskSpec.TableTop + 0.025);
        twin.SetObjectPose(SceneObject.Cube, ScenePose.At(cube.X, cube.Y, cube.Z));
        Assert.True(Poll(twin, tracker, 0.3)[^1].Tracked, $"cube not tracked: {tracker.LastMiss}");

        // The closed gripper comes down 8 cm behind it and pushes it 14 cm further out.
        twin.SetRobotJoints(ArmAt(cube - new Vec3(0.08, 0, 0), ArmPosture.ElbowOut));
        Poll(twin, tracker, 0.2);
        MoveArmTo(twin, cube + new Vec3(0.06, 0, 0), 2);
        var (kinds, pushed) = Follow(twin, tracker, TrackerAnswer.Pushed, 70);
        Assert.True(truth.TryGetObjectState(out ObjectState moved) && moved.Position.X > cube.X + 0.08, $"the twin did not push the cube: x {moved.Position.X:F3}");
        string seq = string.Concat(kinds.Select(k => k.ToString()[0]));
        Assert.True(pushed.Count >= 10, $"only {pushed.Count} pushed answers: {seq}");
        Assert.True(pushed.Max() < 0.02, $"pushed estimate off the cube by up to {pushed.Max() * 1000:F1} mm: {seq}");
    }

    [Theory]
    [InlineData(0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1, 0, 1.0)]           // parallel, 1 apart
    [InlineData(0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0.7071067811865476)] // skew, closest at an end of one
    [InlineData(0, 0, 0, 1, 0, 0, 0.5, -1, 1, 0.5, 1, 1, 1.0)]       // crossing, 1 apart in z
    [InlineData(0, 0, 0, 1, 0, 0, 2, 0, 0, 3, 0, 0, 1.0)]            // collinear, a gap of 1
    [InlineData(0, 0, 0, 0, 0, 0, 0, 3, 4, 0, 3, 4, 5.0)]            // two points
    [InlineData(0, 0, 0, 2, 0, 0, 1, -1, 0, 1, 1, 0, 0.0)]           // intersecting
    public void Segment_distance_is_the_closest_approach(double ax, double ay, double az, double bx, double by, double bz,
        double cx, double cy, double cz, double dx, double dy, double dz, double expected)
    {
        Assert.Equal(expected, ArmGeometry.Distance(new Vec3(ax, ay, az), new Vec3(bx, by, bz), new Vec3(cx, cy, cz), new Vec3(dx, dy, dz)), 9);
        Assert.Equal(expected, ArmGeometry.Distance(new Vec3(cx, cy, cz), new Vec3(dx, dy, dz), new Vec3(ax, ay, az), new Vec3(bx, by, bz)), 9);
    }
}
