using RobotBridge.Model;

namespace RobotBridge.Tasks;

/// <summary>An object's velocity from two successive poses: the twin's ground truth and the rosbridge
/// tracker both difference poses, so both report the same thing for the same motion.</summary>
public static class ObjectVelocity
{
    /// <summary>Linear velocity (m/s) and angular velocity (rad/s, the rotation vector of
    /// current·previousᵀ over <paramref name="seconds"/>), both in the poses' frame.</summary>
    public static (Vec3 Linear, Vec3 Angular) Between(in Vec3 previousPosition, in Rotation3 previousOrientation,
        in Vec3 position, in Rotation3 orientation, double seconds)
    {
        Vec3 linear = (1 / seconds) * (position - previousPosition);
        Vec3 angular = (1 / seconds) * (orientation * previousOrientation.Transposed).ToRotationVector();
        return (linear, angular);
    }
}
