using RobotBridge.Model;

namespace RobotBridge.Robots;

/// <summary>
/// Judges whether a stream of joint states can come from one physical robot: between two samples a
/// joint cannot move further than its speed limit allows in the time their stamps say passed, and a
/// robot's stamps never go backwards. A second publisher on <c>/joint_states</c> (a client replaying or
/// inventing states) shows up as exactly that, because rosbridge does not tell a subscriber who
/// published a message: positions that jump between the two streams, or stamps out of order.
/// </summary>
/// <remarks>
/// A rejected sample is not remembered, so the real stream stays the reference while a spoofer keeps
/// being caught. A jump that persists for <see cref="ReanchorAfter"/> (a recalibrated or restarted
/// robot) becomes the new reference; it has still been reported. Zero stamps cannot be judged and pass.
/// Not thread-safe: one receive thread calls it.
/// </remarks>
public sealed class JointStatePlausibility
{
    /// <summary>Measured speed may exceed the URDF limit for a moment (servo overshoot, noise).</summary>
    public const double SpeedMargin = 1.5;

    /// <summary>Position noise and quantisation allowed on top of the speed bound (rad or m).</summary>
    public const double PositionSlack = 0.02;

    /// <summary>How long only-implausible samples must persist before they are believed.</summary>
    public static readonly TimeSpan ReanchorAfter = TimeSpan.FromSeconds(0.5);

    private readonly double[] _maxSpeed = new double[FetchJoints.Count];
    private readonly bool[] _continuous = new bool[FetchJoints.Count];
    private readonly double[] _position = new double[FetchJoints.Count];
    private readonly TimeSpan[] _stamp = new TimeSpan[FetchJoints.Count];
    private readonly TimeSpan?[] _rejectedSince = new TimeSpan?[FetchJoints.Count];
    private readonly bool[] _seen = new bool[FetchJoints.Count];

    public JointStatePlausibility(RobotModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        for (int k = 0; k < FetchJoints.Count; k++)
        {
            string name = FetchJoints.All[k];
            Joint joint = model.Joints.FirstOrDefault(j => j.Name == name)
                ?? throw new ArgumentException($"the robot model has no joint {name}", nameof(model));
            _maxSpeed[k] = joint.Limits is { Velocity: > 0 } limits ? limits.Velocity : double.PositiveInfinity;
            _continuous[k] = joint.Type == JointType.Continuous;
        }
    }

    /// <summary>Samples judged implausible so far.</summary>
    public long Rejected { get; private set; }

    /// <summary>Checks one joint's sample against the last plausible one and remembers it when it is
    /// plausible. Returns why it is not, or null.</summary>
    public string? Check(int joint, double position, TimeSpan stamp)
    {
        if (stamp == TimeSpan.Zero || !double.IsFinite(position))
        {
            return null;
        }
        if (!_seen[joint])
        {
            Accept(joint, position, stamp);
            return null;
        }
        string? cause;
        if (stamp < _stamp[joint])
        {
            cause = $"{FetchJoints.All[joint]}: a joint state stamped {(_stamp[joint] - stamp).TotalMilliseconds:F0} ms " +
                    "before the last one (a second publisher on the joint states?)";
        }
        else
        {
            double dt = (stamp - _stamp[joint]).TotalSeconds;
            double delta = position - _position[joint];
            double moved = Math.Abs(_continuous[joint] ? Math.IEEERemainder(delta, 2 * Math.PI) : delta);
            double allowed = _maxSpeed[joint] * SpeedMargin * dt + PositionSlack;
            cause = moved <= allowed
                ? null
                : $"{FetchJoints.All[joint]} jumped {moved:F3} in {dt * 1000:F0} ms, more than its speed limit allows " +
                  $"({allowed:F3}): the joint state cannot come from the robot alone";
        }
        if (cause is null)
        {
            Accept(joint, position, stamp);
            return null;
        }
        Rejected++;
        _rejectedSince[joint] ??= stamp;
        if (stamp - _rejectedSince[joint]!.Value >= ReanchorAfter)
        {
            Accept(joint, position, stamp);
        }
        return cause;
    }

    /// <summary>Forgets every reference: after a reconnect the robot may have restarted its clock.</summary>
    public void Forget() => Array.Clear(_seen);

    private void Accept(int joint, double position, TimeSpan stamp)
    {
        _position[joint] = position;
        _stamp[joint] = stamp;
        _seen[joint] = true;
        _rejectedSince[joint] = null;
    }
}
