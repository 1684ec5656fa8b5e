using BenchmarkDotNet.Attributes;
using RobotBridge.Model;
using RobotBridge.Model.Kinematics;
using RobotBridge.Robots;

namespace RobotBridge.Benchmarks;

/// <summary>
/// Per-call cost of the Fetch kinematics the control loop uses every step: FK of gripper_link, its
/// Jacobian, and IK (a full position solve from home, and the warm-started small-displacement step).
/// Run: dotnet run -c Release --project src/RobotBridge.Benchmarks -- --filter '*ModelKinematics*'
/// </summary>
[MemoryDiagnoser]
public class ModelKinematicsBenchmarks
{
    private KinematicChain _gripper = null!;
    private IkSolver _armIk = null!;
    private double[] _q = null!, _home = null!, _solution = null!, _jacobian = null!;
    private Vec3 _target;

    [GlobalSetup]
    public void Setup()
    {
        RobotModel fetch = FetchModel.Load();
        _gripper = new KinematicChain(fetch, "gripper_link");
        _armIk = new IkSolver(fetch, "gripper_link", FetchJoints.Arm);
        _home = fetch.CreateHomeVector();
        _q = fetch.CreateHomeVector();
        // A typical working pose: arm bent in front of the robot, torso half up.
        _q[fetch.VariableIndexOf(FetchJoints.TorsoLift)] = 0.2;
        _q[fetch.VariableIndexOf(FetchJoints.ShoulderLift)] = 0.4;
        _q[fetch.VariableIndexOf(FetchJoints.ElbowFlex)] = 1.2;
        _q[fetch.VariableIndexOf(FetchJoints.WristFlex)] = 0.6;
        _q[fetch.VariableIndexOf(FetchJoints.UpperarmRoll)] = 0.3;
        _solution = new double[fetch.VariableCount];
        _jacobian = new double[6 * fetch.VariableCount];
        var seed = (double[])_home.Clone();
        seed[fetch.VariableIndexOf(FetchJoints.TorsoLift)] = 0.2;
        _home = seed;
        _target = _gripper.Pose(_q).Translation;
    }

    [Benchmark]
    public Vec3 ForwardKinematicsGripper() => _gripper.Pose(_q).Translation;

    [Benchmark]
    public double JacobianGripper() => _gripper.Jacobian(_q, _jacobian).Translation.X;

    /// <summary>Position IK of the 7 arm joints from the home pose to the working pose's gripper position.</summary>
    [Benchmark]
    public IkStatus IkSolvePositionFromHome() => _armIk.SolvePosition(_target, _home, _solution).Status;

    /// <summary>The 25 Hz control-step call: 5 mm gripper displacement, warm-started from the current joints.</summary>
    [Benchmark]
    public IkStatus IkPositionStep5mm() => _armIk.SolvePositionStep(_q, new Vec3(0.003, -0.003, 0.0028), _solution).Status;

    /// <summary>Full pose IK step: 5 mm and 0.02 rad from the current joints.</summary>
    [Benchmark]
    public IkStatus IkPoseStep() => _armIk.SolvePoseStep(_q, new Vec3(0.003, -0.003, 0.0028), new Vec3(0, 0.02, 0), _solution).Status;
}
