using RobotBridge.Model;
using RobotBridge.Robots;
using RobotBridge.Tasks;

namespace RobotBridge.Sim.Scene;

/// <summary>Robot poses that set up the twin's camera checks.</summary>
public static class ScenePoses
{
    /// <summary>The arm tucked in its home pose, out of the head camera's view, and the torso and head as
    /// the tasks set them: the head aimed at the middle of the table (<see cref="FetchTaskEnv.HeadTarget"/>).
    /// Joint order of <see cref="FetchJoints.All"/>.</summary>
    public static double[] TuckedLookingAtTable(RobotModel model)
    {
        var (pan, tilt) = new FetchArmKinematics(model).AimHead(FetchTaskEnv.HeadTarget, FetchTaskEnv.StartTorso);
        var q = new double[FetchJoints.Count];
        foreach (var (name, value) in SceneBuilder.HomePose)
        {
            q[FetchJoints.IndexOf(name)] = value;
        }
        q[FetchJoints.IndexOf(FetchJoints.TorsoLift)] = FetchTaskEnv.StartTorso;
        q[FetchJoints.IndexOf(FetchJoints.HeadPan)] = pan;
        q[FetchJoints.IndexOf(FetchJoints.HeadTilt)] = tilt;
        return q;
    }
}
