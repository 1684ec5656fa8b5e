namespace RobotBridge.Model;

/// <summary>RGBA colour, each channel in [0, 1].</summary>
public readonly record struct Rgba(double R, double G, double B, double A);

/// <summary>A URDF material: a name with a colour and/or a texture file.</summary>
public sealed record Material(string Name, Rgba? Color, string? Texture);

/// <summary>
/// Mass properties of a link: centre of mass frame (<see cref="Origin"/>, in the link frame), mass (kg)
/// and the inertia tensor about the centre of mass in that frame (kg·m²).
/// </summary>
public sealed record Inertial(RigidTransform Origin, double Mass, double Ixx, double Ixy, double Ixz, double Iyy, double Iyz, double Izz);

/// <summary>A rendered shape of a link, placed by <see cref="Origin"/> in the link frame.</summary>
public sealed record Visual(string? Name, RigidTransform Origin, Geometry Geometry, Material? Material);

/// <summary>A contact shape of a link, placed by <see cref="Origin"/> in the link frame.</summary>
public sealed record Collision(string? Name, RigidTransform Origin, Geometry Geometry);
