namespace RobotBridge.Safety;

/// <summary>An axis-aligned box in the base_link frame (metres) that the gripper must stay in.</summary>
public readonly record struct WorkspaceBox(double MinX, double MinY, double MinZ, double MaxX, double MaxY, double MaxZ)
{
    /// <summary>True when the point lies inside the box shrunk by <paramref name="margin"/> on every side
    /// (a negative margin widens it). NaN is never inside.</summary>
    public bool Contains(double x, double y, double z, double margin = 0) =>
        x >= MinX + margin && x <= MaxX - margin &&
        y >= MinY + margin && y <= MaxY - margin &&
        z >= MinZ + margin && z <= MaxZ - margin;

    public override string ToString() =>
        $"x [{MinX:F3}, {MaxX:F3}] y [{MinY:F3}, {MaxY:F3}] z [{MinZ:F3}, {MaxZ:F3}] m";
}
