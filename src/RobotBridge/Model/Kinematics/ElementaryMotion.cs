namespace RobotBridge.Model.Kinematics;

/// <summary>
/// One single-variable motion of a joint: a rotation about, or a translation along, a unit axis of the
/// frame it acts in. Every URDF joint is a fixed origin followed by 0 (fixed), 1 (revolute, continuous,
/// prismatic, mimic), 3 (planar) or 6 (floating) of these, which lets FK and the Jacobian treat all
/// joint types alike.
/// </summary>
internal readonly record struct ElementaryMotion(Vec3 Axis, bool IsRotation, int Variable, double Multiplier, double Offset)
{
    public double Value(ReadOnlySpan<double> q) => Multiplier * q[Variable] + Offset;

    public RigidTransform Transform(double value) => IsRotation
        ? new RigidTransform(Rotation3.FromAxisAngle(Axis, value), Vec3.Zero)
        : RigidTransform.FromTranslation(value * Axis);

    /// <summary>
    /// pose · Transform(value), computed directly: a rotation about a coordinate axis only mixes two
    /// columns of the rotation, a translation only moves the origin. This is the FK inner loop.
    /// </summary>
    public RigidTransform AppliedTo(in RigidTransform pose, double value)
    {
        Rotation3 r = pose.Rotation;
        if (!IsRotation)
        {
            return new RigidTransform(r, pose.Translation + r * (value * Axis));
        }
        (double s, double c) = Math.SinCos(value);
        if (Axis == Vec3.UnitX)
        {
            return new RigidTransform(new Rotation3(
                r.M00, c * r.M01 + s * r.M02, c * r.M02 - s * r.M01,
                r.M10, c * r.M11 + s * r.M12, c * r.M12 - s * r.M11,
                r.M20, c * r.M21 + s * r.M22, c * r.M22 - s * r.M21), pose.Translation);
        }
        if (Axis == Vec3.UnitY)
        {
            return new RigidTransform(new Rotation3(
                c * r.M00 - s * r.M02, r.M01, s * r.M00 + c * r.M02,
                c * r.M10 - s * r.M12, r.M11, s * r.M10 + c * r.M12,
                c * r.M20 - s * r.M22, r.M21, s * r.M20 + c * r.M22), pose.Translation);
        }
        if (Axis == Vec3.UnitZ)
        {
            return new RigidTransform(new Rotation3(
                c * r.M00 + s * r.M01, c * r.M01 - s * r.M00, r.M02,
                c * r.M10 + s * r.M11, c * r.M11 - s * r.M10, r.M12,
                c * r.M20 + s * r.M21, c * r.M21 - s * r.M20, r.M22), pose.Translation);
        }
        return pose * Transform(value);
    }

    /// <summary>The motions of <paramref name="joint"/> in the order they apply after its origin.</summary>
    public static ElementaryMotion[] Of(Joint joint)
    {
        switch (joint.Type)
        {
            case JointType.Fixed:
                return [];
            case JointType.Revolute or JointType.Continuous or JointType.Prismatic:
                bool rotation = joint.Type != JointType.Prismatic;
                if (joint.MimicSource is Joint master)
                {
                    return [new ElementaryMotion(joint.Axis, rotation, master.VariableIndex, joint.Mimic!.Multiplier, joint.Mimic.Offset)];
                }
                return [new ElementaryMotion(joint.Axis, rotation, joint.VariableIndex, 1, 0)];
            case JointType.Planar:
                {
                    // Variables x, y move along two in-plane axes u, v (u × v = normal), theta turns about the normal.
                    Vec3 n = joint.Axis;
                    Vec3 helper = Math.Abs(n.X) < 0.9 ? Vec3.UnitX : Vec3.UnitY;
                    Vec3 u = Vec3.Cross(Vec3.Cross(n, helper), n).Normalized();
                    Vec3 v = Vec3.Cross(n, u);
                    int i = joint.VariableIndex;
                    return
                    [
                        new ElementaryMotion(u, false, i, 1, 0),
                    new ElementaryMotion(v, false, i + 1, 1, 0),
                    new ElementaryMotion(n, true, i + 2, 1, 0),
                ];
                }
            case JointType.Floating:
                {
                    // x, y, z, then R = Rz(yaw)·Ry(pitch)·Rx(roll) like a URDF rpy.
                    int i = joint.VariableIndex;
                    return
                    [
                        new ElementaryMotion(Vec3.UnitX, false, i, 1, 0),
                    new ElementaryMotion(Vec3.UnitY, false, i + 1, 1, 0),
                    new ElementaryMotion(Vec3.UnitZ, false, i + 2, 1, 0),
                    new ElementaryMotion(Vec3.UnitZ, true, i + 5, 1, 0),
                    new ElementaryMotion(Vec3.UnitY, true, i + 4, 1, 0),
                    new ElementaryMotion(Vec3.UnitX, true, i + 3, 1, 0),
                ];
                }
            default:
                throw new ArgumentOutOfRangeException(nameof(joint), joint.Type, "unknown joint type");
        }
    }
}
