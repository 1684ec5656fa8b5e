using RobotBridge.Robots;
using RobotBridge.Sim.Controllers;
using RobotBridge.Sim.Twin;

namespace RobotBridge.Sim.Tests.Sim;

public class HeadCameraTests
{
    private const int Size = 128;

    /// <summary>Upper arm down 0.8 rad, forearm and gripper level, straight ahead.</summary>
    private static readonly double[] Level = [0.0, 0.8, 0.0, -0.8, 0.0, 0.0, 0.0];

    /// <summary>Pinhole projection of a world point into the head camera image (ROS optical frame:
    /// z forward, x right, y down). Returns pixel column, row and depth along the optical axis.</summary>
    private static (double U, double V, double Depth) Project(FetchTwin twin, double x, double y, double z)
    {
        ScenePose cam = twin.GetBodyPose("head_camera_rgb_optical_frame");
        double[] r = RotationOf(cam);
        double dx = x - cam.X, dy = y - cam.Y, dz = z - cam.Z;
        double cx = r[0] * dx + r[3] * dy + r[6] * dz;
        double cy = r[1] * dx + r[4] * dy + r[7] * dz;
        double cz = r[2] * dx + r[5] * dy + r[8] * dz;
        double fovy = twin.Model.CamFovy[0] * Math.PI / 180;
        double f = Size / 2.0 / Math.Tan(fovy / 2);
        return (Size / 2.0 + f * cx / cz, Size / 2.0 + f * cy / cz, cz);
    }

    private static double[] RotationOf(ScenePose q)
    {
        double w = q.Qw, x = q.Qx, y = q.Qy, z = q.Qz;
        return
        [
            1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w),
            2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w),
            2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y),
        ];
    }

    private static CameraFrame NextFrame(FetchTwin twin)
    {
        twin.TryGetCameraFrame()?.Dispose();
        twin.Clock.WaitUntil(twin.Clock.Now + TimeSpan.FromMilliseconds(50));
        return twin.TryGetCameraFrame() ?? throw new Xunit.Sdk.XunitException("no frame rendered in 50 ms at 25 Hz");
    }

    private static int ColourDistance(CameraFrame a, CameraFrame b, int u, int v)
    {
        int i = (v * Size + u) * 3;
        return Math.Abs(a.Rgb[i] - b.Rgb[i]) + Math.Abs(a.Rgb[i + 1] - b.Rgb[i + 1]) + Math.Abs(a.Rgb[i + 2] - b.Rgb[i + 2]);
    }

    [Fact]
    public void Head_camera_sees_the_gripper_over_the_table_and_measures_the_table_depth()
    {
        using var twin = new FetchTwin(new FetchTwinOptions { Camera = HeadCameraOptions.Policy(Size, rate: 25, depth: true) });
        twin.SetObjectPose(SceneObject.Cube, ScenePose.At(3, 3, 0.03));
        twin.SendTrajectory(new JointTrajectory(JointGroup.Head, [new TrajectoryPoint([0.0, 0.55], null, TimeSpan.FromSeconds(1))]));
        // The camera sits right above the shoulder, so it sees the arm edge-on: the gripper is visible
        // when it is the highest part of the view, i.e. held level at the end of a level forearm that
        // reaches out over the table (upper arm sloping down out of the way).
        twin.SendTrajectory(new JointTrajectory(JointGroup.Arm,
        [
            new TrajectoryPoint([1.32, -0.6, -0.2, 1.72, 0.0, 1.66, 0.0], null, TimeSpan.FromSeconds(2.0)),
            new TrajectoryPoint([0.0, -0.6, 0.0, 1.0, 0.0, 0.0, 0.0], null, TimeSpan.FromSeconds(4.0)),
            new TrajectoryPoint(Level, null, TimeSpan.FromSeconds(6.0)),
        ]));
        twin.Clock.WaitUntil(TimeSpan.FromSeconds(6.5));
        Assert.Equal(TrajectoryStatus.Succeeded, twin.GetTrajectoryStatus(JointGroup.Head));
        Assert.Equal(TrajectoryStatus.Succeeded, twin.GetTrajectoryStatus(JointGroup.Arm));

        using CameraFrame withArm = NextFrame(twin);
        Assert.Equal(Size, withArm.Width);
        Assert.True(withArm.HasDepth);
        Assert.True(withArm.Stamp > TimeSpan.FromSeconds(6.5) && withArm.Stamp <= twin.Clock.Now);

        // Depth at a bare table-top point matches the geometry.
        // A table point left of the arm, so nothing occludes it.
        var table = Project(twin, 0.7, 0.25, 0.4);
        Assert.InRange(table.U, 2, Size - 3);
        Assert.InRange(table.V, 2, Size - 3);
        float measured = withArm.Depth[(int)Math.Round(table.V) * Size + (int)Math.Round(table.U)];
        Assert.True(Math.Abs(measured - table.Depth) < 0.03, $"table depth {measured} m, geometry says {table.Depth:F3} m");

        // The gripper's projected pixels differ from the background seen once the arm is tucked away.
        ScenePose gripper = twin.GetBodyPose("gripper_link");
        var g = Project(twin, gripper.X, gripper.Y, gripper.Z);
        Assert.InRange(g.U, 2, Size - 3);
        Assert.InRange(g.V, 2, Size - 3);
        float gripperDepth = withArm.Depth[(int)Math.Round(g.V) * Size + (int)Math.Round(g.U)];
        // The gripper body spans several centimetres around its link origin; its surface is what the camera sees.
        Assert.True(Math.Abs(gripperDepth - g.Depth) < 0.1, $"depth at the gripper {gripperDepth} m, gripper at {g.Depth:F3} m");

        double[] tuck = new double[FetchJoints.Count];
        var state = new RobotState();
        twin.ReadState(state);
        state.Position.CopyTo(tuck, 0);
        // Arm tucked, torso and head unchanged, so the camera looks at the same table.
        double[] tucked = [1.32, 1.40, -0.2, 1.72, 0.0, 1.66, 0.0];
        for (int j = 0; j < 7; j++)
        {
            tuck[FetchJoints.IndexOf(FetchJoints.Arm[j])] = tucked[j];
        }
        twin.SetRobotJoints(tuck);
        using CameraFrame background = NextFrame(twin);
        int u = (int)Math.Round(g.U), v = (int)Math.Round(g.V);
        int gripperContrast = ColourDistance(withArm, background, u, v);
        Assert.True(gripperContrast > 60, $"gripper pixel looks like the background (colour distance {gripperContrast})");
        Assert.True(ColourDistance(withArm, background, (int)Math.Round(table.U), (int)Math.Round(table.V)) < 10,
            "a bare table pixel changed although nothing there moved");
        Assert.True(background.Depth[v * Size + u] > gripperDepth + 0.1, "with the arm gone the camera should see the table further away");
    }

    [Fact]
    public void Disposing_one_twins_camera_leaves_another_twins_camera_working()
    {
        // EGL gives every renderer in the process the same display; one twin going away must not end it.
        using var survivor = new FetchTwin(new FetchTwinOptions { Camera = HeadCameraOptions.Policy(32) });
        using (var other = new FetchTwin(new FetchTwinOptions { Camera = HeadCameraOptions.Policy(32) }))
        {
            other.Clock.WaitUntil(TimeSpan.FromMilliseconds(100));
            other.TryGetCameraFrame()?.Dispose();
        }
        survivor.Clock.WaitUntil(TimeSpan.FromMilliseconds(200));
        using CameraFrame frame = survivor.TryGetCameraFrame() ?? throw new Xunit.Sdk.XunitException("no frame after the other twin was disposed");
        Assert.Empty(survivor.Faults);
        Assert.Contains(frame.Rgb.ToArray(), b => b != 0);
    }

    [Fact]
    public void Camera_off_produces_no_frames_and_can_be_switched_on()
    {
        using var twin = new FetchTwin();
        twin.Clock.WaitUntil(TimeSpan.FromSeconds(0.5));
        Assert.Null(twin.TryGetCameraFrame());
        twin.ConfigureCamera(HeadCameraOptions.Policy(84));
        twin.Clock.WaitUntil(TimeSpan.FromSeconds(1.0));
        using CameraFrame frame = twin.TryGetCameraFrame() ?? throw new Xunit.Sdk.XunitException("no frame");
        Assert.Equal(84, frame.Width);
        Assert.False(frame.HasDepth);
        Assert.Null(twin.TryGetCameraFrame());
    }
}
