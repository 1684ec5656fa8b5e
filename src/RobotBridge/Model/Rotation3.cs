namespace RobotBridge.Model;

/// <summary>
/// A 3x3 rotation matrix, row-major (M01 is row 0, column 1). Columns are the rotated frame's axes
/// expressed in the reference frame. Immutable, no allocation.
/// </summary>
public readonly record struct Rotation3(
    double M00, double M01, double M02,
    double M10, double M11, double M12,
    double M20, double M21, double M22)
{
    public static Rotation3 Identity => new(1, 0, 0, 0, 1, 0, 0, 0, 1);

    public Vec3 ColumnX => new(M00, M10, M20);
    public Vec3 ColumnY => new(M01, M11, M21);
    public Vec3 ColumnZ => new(M02, M12, M22);

    public Rotation3 Transposed => new(M00, M10, M20, M01, M11, M21, M02, M12, M22);

    /// <summary>The rows. Written out because the record's generated one also prints
    /// <see cref="Transposed"/>, itself a Rotation3, and so on until the stack overflows (an assertion
    /// message holding an object's pose took the test host down).</summary>
    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"[[{M00:G6}, {M01:G6}, {M02:G6}], [{M10:G6}, {M11:G6}, {M12:G6}], [{M20:G6}, {M21:G6}, {M22:G6}]]");

    /// <summary>URDF rpy: fixed-axis roll about x, then pitch about y, then yaw about z (R = Rz·Ry·Rx).</summary>
    public static Rotation3 FromRpy(double roll, double pitch, double yaw)
    {
        double cr = Math.Cos(roll), sr = Math.Sin(roll);
        double cp = Math.Cos(pitch), sp = Math.Sin(pitch);
        double cy = Math.Cos(yaw), sy = Math.Sin(yaw);
        return new Rotation3(
            cy * cp, cy * sp * sr - sy * cr, cy * sp * cr + sy * sr,
            sy * cp, sy * sp * sr + cy * cr, sy * sp * cr - cy * sr,
            -sp, cp * sr, cp * cr);
    }

    /// <summary>URDF roll, pitch, yaw of this rotation (inverse of <see cref="FromRpy"/>; pitch in [−π/2, π/2]).</summary>
    public Vec3 ToRpy()
    {
        double pitch = Math.Asin(Math.Clamp(-M20, -1.0, 1.0));
        if (Math.Abs(M20) < 1 - 1e-12)
        {
            return new Vec3(Math.Atan2(M21, M22), pitch, Math.Atan2(M10, M00));
        }
        // Gimbal lock: only roll ± yaw is defined; put it all in yaw.
        return new Vec3(0, pitch, Math.Atan2(-M01, M11));
    }

    /// <summary>Rotation by <paramref name="angle"/> about the unit vector <paramref name="axis"/> (Rodrigues).</summary>
    public static Rotation3 FromAxisAngle(in Vec3 axis, double angle)
    {
        double c = Math.Cos(angle), s = Math.Sin(angle), t = 1 - c;
        double x = axis.X, y = axis.Y, z = axis.Z;
        return new Rotation3(
            t * x * x + c, t * x * y - s * z, t * x * z + s * y,
            t * x * y + s * z, t * y * y + c, t * y * z - s * x,
            t * x * z - s * y, t * y * z + s * x, t * z * z + c);
    }

    /// <summary>Rotation from a unit quaternion (x, y, z, w).</summary>
    public static Rotation3 FromQuaternion(double x, double y, double z, double w)
    {
        double n = Math.Sqrt(x * x + y * y + z * z + w * w);
        x /= n; y /= n; z /= n; w /= n;
        return new Rotation3(
            1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w),
            2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w),
            2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y));
    }

    /// <summary>Unit quaternion (x, y, z, w) with w ≥ 0.</summary>
    public (double X, double Y, double Z, double W) ToQuaternion()
    {
        double x, y, z, w;
        double trace = M00 + M11 + M22;
        if (trace > 0)
        {
            double s = Math.Sqrt(trace + 1.0) * 2;
            w = 0.25 * s; x = (M21 - M12) / s; y = (M02 - M20) / s; z = (M10 - M01) / s;
        }
        else if (M00 > M11 && M00 > M22)
        {
            double s = Math.Sqrt(1.0 + M00 - M11 - M22) * 2;
            w = (M21 - M12) / s; x = 0.25 * s; y = (M01 + M10) / s; z = (M02 + M20) / s;
        }
        else if (M11 > M22)
        {
            double s = Math.Sqrt(1.0 + M11 - M00 - M22) * 2;
            w = (M02 - M20) / s; x = (M01 + M10) / s; y = 0.25 * s; z = (M12 + M21) / s;
        }
        else
        {
            double s = Math.Sqrt(1.0 + M22 - M00 - M11) * 2;
            w = (M10 - M01) / s; x = (M02 + M20) / s; y = (M12 + M21) / s; z = 0.25 * s;
        }
        double n = Math.Sqrt(x * x + y * y + z * z + w * w);
        if (w < 0)
        {
            n = -n;
        }
        return (x / n, y / n, z / n, w / n);
    }

    /// <summary>
    /// The rotation vector (axis times angle, angle in [0, π]) of this rotation: the log map. Used as the
    /// orientation error of IK, so it must stay accurate near 0 and near π.
    /// </summary>
    public Vec3 ToRotationVector()
    {
        double cos = Math.Clamp((M00 + M11 + M22 - 1) * 0.5, -1.0, 1.0);
        var skew = new Vec3(M21 - M12, M02 - M20, M10 - M01); // 2 sin(θ) axis
        double sin2 = skew.Length;
        double angle = Math.Atan2(sin2 * 0.5, cos);
        if (angle < 1e-9)
        {
            return 0.5 * skew;
        }
        if (Math.PI - angle > 1e-6)
        {
            return (angle / sin2) * skew;
        }
        // Near π the skew part vanishes: take the axis from the symmetric part, signed by the skew part.
        double xx = Math.Sqrt(Math.Max(0, (M00 + 1) * 0.5));
        double yy = Math.Sqrt(Math.Max(0, (M11 + 1) * 0.5));
        double zz = Math.Sqrt(Math.Max(0, (M22 + 1) * 0.5));
        Vec3 axis;
        if (xx >= yy && xx >= zz)
        {
            axis = new Vec3(xx, (M01 + M10) / (4 * xx), (M02 + M20) / (4 * xx));
        }
        else if (yy >= zz)
        {
            axis = new Vec3((M01 + M10) / (4 * yy), yy, (M12 + M21) / (4 * yy));
        }
        else
        {
            axis = new Vec3((M02 + M20) / (4 * zz), (M12 + M21) / (4 * zz), zz);
        }
        if (Vec3.Dot(axis, skew) < 0)
        {
            axis = -axis;
        }
        return angle * axis.Normalized();
    }

    public static Rotation3 operator *(in Rotation3 a, in Rotation3 b) => new(
        a.M00 * b.M00 + a.M01 * b.M10 + a.M02 * b.M20,
        a.M00 * b.M01 + a.M01 * b.M11 + a.M02 * b.M21,
        a.M00 * b.M02 + a.M01 * b.M12 + a.M02 * b.M22,
        a.M10 * b.M00 + a.M11 * b.M10 + a.M12 * b.M20,
        a.M10 * b.M01 + a.M11 * b.M11 + a.M12 * b.M21,
        a.M10 * b.M02 + a.M11 * b.M12 + a.M12 * b.M22,
        a.M20 * b.M00 + a.M21 * b.M10 + a.M22 * b.M20,
        a.M20 * b.M01 + a.M21 * b.M11 + a.M22 * b.M21,
        a.M20 * b.M02 + a.M21 * b.M12 + a.M22 * b.M22);

    public static Vec3 operator *(in Rotation3 r, in Vec3 v) => new(
        r.M00 * v.X + r.M01 * v.Y + r.M02 * v.Z,
        r.M10 * v.X + r.M11 * v.Y + r.M12 * v.Z,
        r.M20 * v.X + r.M21 * v.Y + r.M22 * v.Z);
}
