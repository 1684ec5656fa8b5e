using RobotBridge.Robots;
using RobotBridge.Sim.Interop;
using RobotBridge.Sim.Scene;

namespace RobotBridge.Sim.Twin;

/// <summary>
/// Where each Fetch joint (in <see cref="FetchJoints.All"/> order) lives in the compiled scene: its
/// qpos and qvel addresses, its servo actuator, its limits. Resolved once by name.
/// </summary>
internal sealed class TwinJointMap
{
    public TwinJointMap(SimModel model, RobotBridge.Model.RobotModel urdf)
    {
        int n = FetchJoints.Count;
        QposAdr = new int[n];
        DofAdr = new int[n];
        Actuator = new int[n];
        IsPositionServo = new bool[n];
        Limited = new bool[n];
        Lower = new double[n];
        MaxSpeed = new double[n];
        Upper = new double[n];
        for (int i = 0; i < n; i++)
        {
            string name = FetchJoints.All[i];
            int joint = model.RequireId(MjObject.Joint, name);
            QposAdr[i] = model.JntQposAdr[joint];
            DofAdr[i] = model.JntDofAdr[joint];
            Actuator[i] = model.RequireId(MjObject.Actuator, SceneNames.ServoOf(name));
            IsPositionServo[i] = ServoTuning.PositionServos.ContainsKey(name);
            Limited[i] = model.JntLimited[joint] != 0;
            Lower[i] = Limited[i] ? model.JntRange[2 * joint] : double.NegativeInfinity;
            Upper[i] = Limited[i] ? model.JntRange[2 * joint + 1] : double.PositiveInfinity;
            double velocity = urdf.GetJoint(name).Limits?.Velocity ?? 0.0;
            MaxSpeed[i] = velocity > 0 ? velocity : double.PositiveInfinity;
        }
        BaseQpos = new int[3];
        BaseActuator = new int[3];
        string[] baseJoints = [SceneNames.BaseX, SceneNames.BaseY, SceneNames.BaseYaw];
        for (int k = 0; k < 3; k++)
        {
            int joint = model.RequireId(MjObject.Joint, baseJoints[k]);
            BaseQpos[k] = model.JntQposAdr[joint];
            BaseActuator[k] = model.RequireId(MjObject.Actuator, SceneNames.ServoOf(baseJoints[k]));
        }
        BaseDof = baseJoints.Select(j => model.JntDofAdr[model.RequireId(MjObject.Joint, j)]).ToArray();
    }

    public int[] QposAdr { get; }
    public int[] DofAdr { get; }
    public int[] Actuator { get; }
    public bool[] IsPositionServo { get; }
    public bool[] Limited { get; }
    public double[] Lower { get; }
    public double[] Upper { get; }

    /// <summary>URDF velocity limit: the fastest each joint's motor can move it.</summary>
    public double[] MaxSpeed { get; }

    /// <summary>x, y, yaw of the planar base joints.</summary>
    public int[] BaseQpos { get; }
    public int[] BaseDof { get; }
    public int[] BaseActuator { get; }

    public static int Index(string joint) => FetchJoints.IndexOf(joint);

    public double Clamp(int joint, double value) => Math.Clamp(value, Lower[joint], Upper[joint]);
}
