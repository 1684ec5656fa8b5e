using RobotBridge.Sim.Twin;

namespace RobotBridge.Sim.Tasks;

/// <summary>
/// Sets a served twin's table and object up for an object task driven over rosbridge: the table the
/// object's tasks use, the object at rest in a corner of it (clear of the start poses, so the move to
/// the start pose never meets it; the task's operator prompt places it for each episode), the other
/// object parked, and a ground-truth tracker of the object for the server to publish.
/// </summary>
public static class ServedTaskScene
{
    /// <summary>On the standard table, 0.25 m to the left of the tasks' start grip position.</summary>
    public static readonly ScenePose CubeWaiting = ScenePose.At(0.8, 0.25, 0.425);

    /// <summary>On the slide table, likewise to the left.</summary>
    public static readonly ScenePose PuckWaiting = ScenePose.At(0.8, 0.25, 0.42);

    /// <summary>Arranges the scene for <paramref name="item"/> (the standard table and no published object when null).</summary>
    public static TwinObjectTracker? Arrange(FetchTwin twin, SceneObject? item)
    {
        ArgumentNullException.ThrowIfNull(twin);
        twin.SetTable(item == SceneObject.Puck ? TableLayout.Slide : TableLayout.Standard);
        twin.SetObjectPose(SceneObject.Cube, item == SceneObject.Cube ? CubeWaiting : TwinTaskWorld.CubeParking);
        twin.SetObjectPose(SceneObject.Puck, item == SceneObject.Puck ? PuckWaiting : TwinTaskWorld.PuckParking);
        return item is SceneObject tracked ? new TwinObjectTracker(twin, tracked) : null;
    }
}
