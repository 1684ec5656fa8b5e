using RobotBridge.Model;
using RobotBridge.Robots;
using RobotBridge.Sim.Tasks;
using RobotBridge.Sim.Twin;
using RobotBridge.Tasks;

namespace RobotBridge.Sim.Tests.Tasks;

/// <summary>What <c>robotbridge serve --object</c> sets up and publishes, on the lockstep twin.</summary>
public class ServedTaskSceneTests
{
    [Fact]
    public void Puck_scene_stands_the_slide_table_and_reports_the_puck_in_the_base_frame_after_the_base_turned_and_drove()
    {
        using var twin = new FetchTwin();
        TwinObjectTracker tracker = ServedTaskScene.Arrange(twin, SceneObject.Puck)!;
        Assert.Equal(TableLayout.Slide, twin.Table);
        Assert.True(twin.GetObjectPose(SceneObject.Cube).Z < 0.1, "the cube is not parked off the table");

        // Turn and back the base away (the table is in front): world and base frames now differ.
        TimeSpan t = twin.Clock.Now;
        for (int i = 0; i < 25; i++)
        {
            twin.SendBaseTwist(new Twist(-0.3, 0, 0, 0, 0, 0.2));
            t += TimeSpan.FromMilliseconds(40);
            twin.Clock.WaitUntil(t);
        }
        twin.Clock.WaitUntil(t + TimeSpan.FromSeconds(1.5)); // base stopped (command timeout), puck at rest

        Assert.True(tracker.TryGetObjectState(out ObjectState state));
        ScenePose b = twin.GetBodyPose("base_link"), p = twin.GetObjectPose(SceneObject.Puck);
        var baseLink = new RigidTransform(Rotation3.FromQuaternion(b.Qx, b.Qy, b.Qz, b.Qw), new Vec3(b.X, b.Y, b.Z));
        Assert.True(Math.Abs(b.X) > 0.05 && Math.Abs(b.Qz) > 0.02, $"the base did not move: {b}");
        Vec3 expected = baseLink.Inverse().TransformPoint(new Vec3(p.X, p.Y, p.Z));
        Assert.True((state.Position - expected).Length < 1e-9, $"tracked {state.Position}, base frame truth {expected}");
        // ... which is not the world position: the tracker does not confuse the two.
        Assert.True((state.Position - new Vec3(p.X, p.Y, p.Z)).Length > 0.05);
        Assert.Equal(twin.SimTime, state.Stamp);

        // At rest, successive reads difference to zero velocity.
        twin.Clock.WaitUntil(twin.Clock.Now + TimeSpan.FromMilliseconds(40));
        Assert.True(tracker.TryGetObjectState(out state));
        Assert.True(state.LinearVelocity.Length < 1e-3, $"resting puck moving at {state.LinearVelocity}");
    }

    [Fact]
    public void Cube_scene_waits_clear_of_the_start_pose_and_none_publishes_nothing()
    {
        using var twin = new FetchTwin();
        Assert.Null(ServedTaskScene.Arrange(twin, null));
        Assert.True(twin.GetObjectPose(SceneObject.Cube).Z < 0.1 && twin.GetObjectPose(SceneObject.Puck).Z < 0.1, "objects not parked");

        TwinObjectTracker tracker = ServedTaskScene.Arrange(twin, SceneObject.Cube)!;
        Assert.Equal(TableLayout.Standard, twin.Table);
        twin.Clock.WaitUntil(twin.Clock.Now + TimeSpan.FromSeconds(0.5));
        Assert.True(tracker.TryGetObjectState(out ObjectState state));
        // On the table, at least 0.2 m from every task's start grip position.
        Assert.Equal(FetchTaskSpec.TableTop + 0.025, state.Position.Z, 3);
        foreach (FetchTaskKind kind in Enum.GetValues<FetchTaskKind>())
        {
            Vec3 start = FetchTaskSpec.For(kind).StartGripPosition;
            double apart = Math.Sqrt(Math.Pow(state.Position.X - start.X, 2) + Math.Pow(state.Position.Y - start.Y, 2));
            Assert.True(apart > 0.2, $"{kind}: the waiting cube is {apart:F2} m from the start grip position");
        }
    }
}
