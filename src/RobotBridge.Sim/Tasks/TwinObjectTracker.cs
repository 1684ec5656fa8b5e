using RobotBridge.Model;
using RobotBridge.Sim.Scene;
using RobotBridge.Sim.Twin;
using RobotBridge.Tasks;

namespace RobotBridge.Sim.Tasks;

/// <summary>
/// A perfect tracker of one scene object: its ground-truth pose relative to the robot's base_link
/// (so it stays right when the base drives), stamped with the twin's time, velocities from successive
/// reads. <c>robotbridge serve</c> publishes it as the object pose a real Fetch's detector would.
/// Read from one thread at a time.
/// </summary>
public sealed class TwinObjectTracker(FetchTwin twin, SceneObject item) : IObjectTracker
{
    private ObjectState _previous;
    private bool _hasPrevious;

    public SceneObject Item => item;

    public bool TryGetObjectState(out ObjectState state)
    {
        TimeSpan now = twin.SimTime;
        RigidTransform world = ToTransform(twin.GetObjectPose(item));
        RigidTransform baseLink = ToTransform(twin.GetBodyPose(SceneNames.BaseBody));
        RigidTransform inBase = baseLink.Inverse() * world;
        Vec3 linear = Vec3.Zero, angular = Vec3.Zero;
        double dt = (now - _previous.Stamp).TotalSeconds;
        if (_hasPrevious && dt > 0)
        {
            (linear, angular) = ObjectVelocity.Between(_previous.Position, _previous.Orientation, inBase.Translation, inBase.Rotation, dt);
        }
        state = new ObjectState(inBase.Translation, inBase.Rotation, linear, angular, now);
        _previous = state;
        _hasPrevious = true;
        return true;
    }

    private static RigidTransform ToTransform(in ScenePose pose) =>
        new(Rotation3.FromQuaternion(pose.Qx, pose.Qy, pose.Qz, pose.Qw), new Vec3(pose.X, pose.Y, pose.Z));
}
