using RobotBridge.Model;

namespace RobotBridge.Tasks;

/// <summary>Pose and velocity of the task's object in the robot base frame.</summary>
/// <param name="Stamp">Robot-clock time of the measurement.</param>
public readonly record struct ObjectState(Vec3 Position, Rotation3 Orientation, Vec3 LinearVelocity, Vec3 AngularVelocity, TimeSpan Stamp);

/// <summary>
/// What a Fetch task needs from its body beyond <see cref="Robots.IRobot"/>: putting the robot and
/// the object where an episode starts, and knowing where the object is. The twin teleports and reads
/// ground truth; a real Fetch drives the arm home along a safe path and asks the operator to place
/// the object, and learns its pose from a tracker.
/// </summary>
public interface ITaskWorld : IDisposable
{
    /// <summary>Brings the robot to <paramref name="startJoints"/> (FetchJoints.All order) and the
    /// object (if any) to rest at <paramref name="objectPosition"/>; returns when both are there.
    /// Throws <see cref="TaskResetException"/> saying what did not get ready.</summary>
    void PrepareEpisode(ReadOnlySpan<double> startJoints, Vec3? objectPosition, CancellationToken cancellationToken = default);

    /// <summary>Latest object state, false when the object is not tracked (lost or none).</summary>
    bool TryGetObjectState(out ObjectState state);

    /// <summary>
    /// Where the arm's trajectory controller holds the arm after the last <see cref="PrepareEpisode"/>
    /// (<see cref="Robots.FetchJoints.Arm"/> order), when the world ended it with a goal of its own: the
    /// controller starts the episode's first goal from there, not from the measured arm, which differs by
    /// the tracking error and the sensor's noise. False when the measured arm is the setpoint (a twin
    /// restored to the start state).
    /// </summary>
    bool TryGetArmHold(Span<double> arm) => false;
}

/// <summary>The robot or the object could not be brought to the start of an episode.</summary>
public sealed class TaskResetException(string message, Exception? inner = null) : Exception(message, inner);
