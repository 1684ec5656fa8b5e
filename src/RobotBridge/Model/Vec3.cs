namespace RobotBridge.Model;

/// <summary>A 3-vector of doubles (metres, radians, or a direction). Immutable, no allocation.</summary>
public readonly record struct Vec3(double X, double Y, double Z)
{
    public static Vec3 Zero => default;
    public static Vec3 UnitX => new(1, 0, 0);
    public static Vec3 UnitY => new(0, 1, 0);
    public static Vec3 UnitZ => new(0, 0, 1);

    public double Length => Math.Sqrt(X * X + Y * Y + Z * Z);

    public static Vec3 operator +(in Vec3 a, in Vec3 b) => new(a.X + b.X, a.Y + b.Y, a.Z + b.Z);
    public static Vec3 operator -(in Vec3 a, in Vec3 b) => new(a.X - b.X, a.Y - b.Y, a.Z - b.Z);
    public static Vec3 operator -(in Vec3 a) => new(-a.X, -a.Y, -a.Z);
    public static Vec3 operator *(double s, in Vec3 a) => new(s * a.X, s * a.Y, s * a.Z);
    public static Vec3 operator *(in Vec3 a, double s) => new(s * a.X, s * a.Y, s * a.Z);

    public static double Dot(in Vec3 a, in Vec3 b) => a.X * b.X + a.Y * b.Y + a.Z * b.Z;

    public static Vec3 Cross(in Vec3 a, in Vec3 b) =>
        new(a.Y * b.Z - a.Z * b.Y, a.Z * b.X - a.X * b.Z, a.X * b.Y - a.Y * b.X);

    public Vec3 Normalized()
    {
        double n = Length;
        return new Vec3(X / n, Y / n, Z / n);
    }

    public bool IsFinite => double.IsFinite(X) && double.IsFinite(Y) && double.IsFinite(Z);

    public override string ToString() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"({X:R}, {Y:R}, {Z:R})");
}
