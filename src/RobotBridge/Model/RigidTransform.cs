namespace RobotBridge.Model;

/// <summary>
/// A rigid transform (rotation then translation): maps points of a child frame into its parent frame,
/// p_parent = Rotation · p_child + Translation. Immutable, no allocation.
/// </summary>
public readonly record struct RigidTransform(Rotation3 Rotation, Vec3 Translation)
{
    public static RigidTransform Identity => new(Rotation3.Identity, Vec3.Zero);

    /// <summary>The transform of a URDF &lt;origin xyz rpy&gt;.</summary>
    public static RigidTransform FromXyzRpy(in Vec3 xyz, in Vec3 rpy) =>
        new(Rotation3.FromRpy(rpy.X, rpy.Y, rpy.Z), xyz);

    public static RigidTransform FromTranslation(in Vec3 t) => new(Rotation3.Identity, t);

    public RigidTransform Inverse()
    {
        Rotation3 rt = Rotation.Transposed;
        return new RigidTransform(rt, -(rt * Translation));
    }

    public Vec3 TransformPoint(in Vec3 p) => Rotation * p + Translation;

    public static RigidTransform operator *(in RigidTransform a, in RigidTransform b) =>
        new(a.Rotation * b.Rotation, a.Rotation * b.Translation + a.Translation);

    /// <summary>The 4x4 homogeneous matrix, row-major.</summary>
    public double[,] ToMatrix()
    {
        Rotation3 r = Rotation;
        return new[,]
        {
            { r.M00, r.M01, r.M02, Translation.X },
            { r.M10, r.M11, r.M12, Translation.Y },
            { r.M20, r.M21, r.M22, Translation.Z },
            { 0.0, 0.0, 0.0, 1.0 },
        };
    }
}
