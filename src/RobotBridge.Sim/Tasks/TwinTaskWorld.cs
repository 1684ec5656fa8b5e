using RobotBridge.Model;
using RobotBridge.Robots;
using RobotBridge.Sim.Twin;
using RobotBridge.Tasks;

namespace RobotBridge.Sim.Tasks;

/// <summary>
/// Episode set-up and object tracking for a Fetch task on the twin: the robot is teleported to the
/// task's start joints and settled once, that state is captured, and every episode starts from an
/// exact restore of it (Gymnasium-Robotics v4 does the same), so equal seeds give equal episodes bit
/// for bit. Object poses are ground truth; velocities are differences between successive reads.
/// </summary>
public sealed class TwinTaskWorld : ITaskWorld
{
    /// <summary>Where unused objects wait: on the floor behind the robot, out of every view and reach.</summary>
    internal static readonly ScenePose CubeParking = ScenePose.At(-1.0, 0.5, 0.025);
    internal static readonly ScenePose PuckParking = ScenePose.At(-1.0, -0.5, 0.02);
    private static readonly TimeSpan SettleTime = TimeSpan.FromMilliseconds(200);

    private readonly FetchTwin _twin;
    private readonly FetchTaskSpec _spec;
    private readonly SceneObject? _object;
    private TwinSnapshot? _start;
    private ScenePose _previousPose;
    private TimeSpan _previousTime;
    private bool _hasPrevious;

    public TwinTaskWorld(FetchTwin twin, FetchTaskSpec spec)
    {
        _twin = twin;
        _spec = spec;
        _object = !spec.HasObject ? null : spec.Kind == FetchTaskKind.Slide ? SceneObject.Puck : SceneObject.Cube;
    }

    public void PrepareEpisode(ReadOnlySpan<double> startJoints, Vec3? objectPosition, CancellationToken cancellationToken = default)
    {
        _start ??= SetUp(startJoints, cancellationToken);
        _twin.Restore(_start);
        if (_object is SceneObject item && objectPosition is Vec3 p)
        {
            _twin.SetObjectPose(item, ScenePose.At(p.X, p.Y, p.Z));
        }
        _hasPrevious = false;
    }

    public bool TryGetObjectState(out ObjectState state)
    {
        if (_object is not SceneObject item)
        {
            state = default;
            return false;
        }
        ScenePose pose = _twin.GetObjectPose(item);
        TimeSpan now = _twin.SimTime;
        var position = new Vec3(pose.X, pose.Y, pose.Z);
        Rotation3 orientation = Rotation3.FromQuaternion(pose.Qx, pose.Qy, pose.Qz, pose.Qw);
        Vec3 linear = Vec3.Zero, angular = Vec3.Zero;
        double dt = (now - _previousTime).TotalSeconds;
        if (_hasPrevious && dt > 0)
        {
            Rotation3 previous = Rotation3.FromQuaternion(_previousPose.Qx, _previousPose.Qy, _previousPose.Qz, _previousPose.Qw);
            (linear, angular) = ObjectVelocity.Between(new Vec3(_previousPose.X, _previousPose.Y, _previousPose.Z), previous, position, orientation, dt);
        }
        _previousPose = pose;
        _previousTime = now;
        _hasPrevious = true;
        state = new ObjectState(position, orientation, linear, angular, now);
        return true;
    }

    public void Dispose()
    {
        // The twin belongs to the body's owner; nothing of its own to release.
    }

    private TwinSnapshot SetUp(ReadOnlySpan<double> startJoints, CancellationToken cancellationToken)
    {
        _twin.Reset();
        _twin.SetTable(_spec.Table == FetchTable.Slide ? TableLayout.Slide : TableLayout.Standard);
        _twin.SetObjectPose(SceneObject.Cube, CubeParking);
        _twin.SetObjectPose(SceneObject.Puck, PuckParking);
        _twin.SetRobotJoints(startJoints);
        _twin.SendGripper(0, 60);
        _twin.Clock.WaitUntil(_twin.Clock.Now + SettleTime, cancellationToken);
        return _twin.Capture();
    }
}
