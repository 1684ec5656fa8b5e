using RobotBridge.Model;
using RobotBridge.Sim.Scene;
using RobotBridge.Sim.Tasks;
using RobotBridge.Sim.Twin;
using RobotBridge.Tasks;
using RobotBridge.Vision.Tracking;

namespace RobotBridge.Vision.Tests.Twin;

/// <summary>The cube's side tags (issue 18: the gripper covers the top tag once it grasps the cube): each is
/// drawn on its face as the shipped config says, detected with its own id and gives the cube's pose.</summary>
public class SideTagTests
{
    private static readonly RobotModel Model = FetchModel.Load();

    /// <summary>The cube tipped onto a side so that face looks up at the camera as the top tag does:
    /// (face's tag id, the rotation that turns that face's outward normal to +z).</summary>
    public static TheoryData<int, double, double, double> Faces() => new()
    {
        { SceneTags.CubePlusXTagId, 0, -Math.PI / 2, 0 },
        { SceneTags.CubePlusYTagId, Math.PI / 2, 0, 0 },
        { SceneTags.CubeMinusXTagId, 0, Math.PI / 2, 0 },
        { SceneTags.CubeMinusYTagId, -Math.PI / 2, 0, 0 },
    };

    [Theory]
    [MemberData(nameof(Faces))]
    public void A_rendered_side_tag_is_detected_with_its_id_and_gives_the_cube_pose_within_a_centimetre(int id, double roll, double pitch, double yaw)
    {
        using FetchTwin twin = CameraTwin.LookingAtTable(Model);
        using var tracker = new CameraObjectTracker(twin, Model, CameraTrackerConfig.Default(), "cube");
        var truth = new TwinObjectTracker(twin, SceneObject.Cube);
        var tipped = Rotation3.FromRpy(roll, pitch, yaw) * Rotation3.FromRpy(0, 0, 0.4); // a yaw too: nothing square by accident
        twin.SetObjectPose(SceneObject.Cube, Pose(0.62, 0.05, FetchTaskSpec.TableTop + 0.025, tipped));

        bool tracked = false;
        ObjectState seen = default;
        for (TimeSpan end = twin.Clock.Now + TimeSpan.FromSeconds(0.4); twin.Clock.Now < end;)
        {
            twin.Clock.WaitUntil(twin.Clock.Now + TimeSpan.FromMilliseconds(40));
            tracked = tracker.TryGetObjectState(out seen);
        }

        Assert.True(tracked, $"tipped cube showing tag {id} not tracked: {tracker.LastMiss}");
        Assert.Contains(tracker.LastDetections, d => d.Id == id);
        Assert.DoesNotContain(tracker.LastDetections, d => d.Id == SceneTags.CubeTagId); // the top tag faces sideways now
        Assert.Equal(id, tracker.LastCandidates[0].Detection.Id);
        Assert.True(truth.TryGetObjectState(out ObjectState real));
        double error = (seen.Position - real.Position).Length;
        Assert.True(error < 0.01, $"tag {id}: camera {seen.Position} vs truth {real.Position}, {error * 1000:F1} mm apart");
        double angle = AngleBetween(seen.Orientation, real.Orientation);
        Assert.True(angle < 0.05, $"tag {id}: the cube's orientation is {angle:F3} rad off (a face drawn turned or mirrored, or a wrong rpy)");
    }

    [Fact]
    public void The_shipped_config_puts_a_tag_on_the_cube_top_and_each_side_and_one_on_the_puck()
    {
        CameraTrackerConfig config = CameraTrackerConfig.Default();

        Assert.Equal([SceneTags.CubeTagId, SceneTags.CubePlusXTagId, SceneTags.CubePlusYTagId, SceneTags.CubeMinusXTagId, SceneTags.CubeMinusYTagId],
            config.For("cube").AllTags.Select(t => t.Id));
        Assert.Equal([SceneTags.PuckTagId], config.For("puck").AllTags.Select(t => t.Id));
        foreach (ObjectTag tag in config.For("cube").AllTags)
        {
            // Each tag's centre sits on a face, 2.5 cm from the centre, its z axis pointing into the cube.
            Assert.Equal(0.025, tag.TagInObject.Translation.Length, 9);
            Vec3 inward = tag.TagInObject.Rotation * new Vec3(0, 0, 1);
            Assert.Equal(-1, Vec3.Dot(inward, tag.TagInObject.Translation) / 0.025, 9);
        }
    }

    private static ScenePose Pose(double x, double y, double z, Rotation3 r)
    {
        var (qx, qy, qz, qw) = r.ToQuaternion();
        return new ScenePose(x, y, z, qw, qx, qy, qz);
    }

    private static double AngleBetween(Rotation3 a, Rotation3 b)
    {
        Rotation3 d = a.Transposed * b;
        return Math.Acos(Math.Clamp((d.M00 + d.M11 + d.M22 - 1) / 2, -1, 1));
    }
}
