using RobotBridge.Model;
using RobotBridge.Sim.Scene;
using RobotBridge.Sim.Twin;

namespace RobotBridge.Vision.Tests.Twin;

/// <summary>The twin the tracker tests look through.</summary>
internal static class CameraTwin
{
    /// <summary>A twin with the 640x480 camera (no depth), the arm tucked out of view, the head aimed at the
    /// middle of the table as the tasks aim it, and the puck put away behind the robot.</summary>
    public static FetchTwin LookingAtTable(RobotModel model)
    {
        var twin = new FetchTwin(new FetchTwinOptions { Camera = HeadCameraOptions.Carmine with { Depth = false } });
        twin.SetRobotJoints(ScenePoses.TuckedLookingAtTable(model));
        twin.SetObjectPose(SceneObject.Puck, ScenePose.At(-1.0, -0.5, 0.02));
        return twin;
    }
}
