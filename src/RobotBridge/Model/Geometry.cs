namespace RobotBridge.Model;

/// <summary>The shape of a visual or collision element, in its element's origin frame (URDF &lt;geometry&gt;).</summary>
public abstract record Geometry;

/// <summary>A box centred on its origin; <see cref="Size"/> is the full edge lengths along x, y, z (m).</summary>
public sealed record BoxGeometry(Vec3 Size) : Geometry;

/// <summary>A cylinder centred on its origin with its axis along z.</summary>
public sealed record CylinderGeometry(double Radius, double Length) : Geometry;

public sealed record SphereGeometry(double Radius) : Geometry;

/// <summary>A mesh file reference (not loaded here); <see cref="Scale"/> defaults to (1, 1, 1).</summary>
public sealed record MeshGeometry(string Filename, Vec3 Scale) : Geometry;
