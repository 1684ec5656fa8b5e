namespace RobotBridge.Sim.Scene;

/// <summary>
/// Where the robot description and the scene template live. The Sim project copies the repository's
/// urdf/ folder next to every assembly that references it, so the defaults resolve in tests, the CLI
/// and benchmarks alike; explicit paths override them.
/// </summary>
public sealed record SceneFiles(string RobotUrdf, string SceneTemplate)
{
    public static SceneFiles Default { get; } = new(
        Path.Combine(AppContext.BaseDirectory, "urdf", "fetch.urdf"),
        Path.Combine(AppContext.BaseDirectory, "urdf", "scene", "tabletop.xml"));
}
