using RobotBridge.Control;
using RobotBridge.Model;
using RobotBridge.Robots;
using RobotBridge.Safety;
using RobotBridge.Sim.Twin;

namespace RobotBridge.Sim.Tests.Safety;

/// <summary>
/// The MuJoCo twin behind the safety supervisor and the control loop, as a deployment would wire
/// them, with the arm placed in front of the robot so it can move inside the workspace.
/// </summary>
internal sealed class SupervisedTwin : IDisposable
{
    public const string Operator = "operator";
    private static readonly RobotModel Model = FetchModel.Load();

    public SupervisedTwin(IControlCycle cycle, double rateHz = 25, FetchTwinOptions? twinOptions = null,
        SafetyConfig? config = null, Func<IRobot, IRobot>? wrap = null, ControlLoopOptions? loopOptions = null)
    {
        Twin = new FetchTwin(twinOptions ?? new FetchTwinOptions { Seed = 7 });
        Twin.SetRobotJoints(ReadyPose);
        Latch = new EStopLatch(new EStopLatchOptions { AuthorisedOperators = [Operator], RobotTime = () => Twin.Clock.Now });
        IRobot body = wrap?.Invoke(Twin) ?? Twin;
        Supervisor = ModelSafety.SuperviseFetch(body, Latch, config ?? SafetyConfig.Default(), Model, ownsRobot: false);
        Loop = new ControlLoop(Supervisor, cycle, (loopOptions ?? new ControlLoopOptions()) with { RateHz = rateHz });
        Kinematics = new ModelGripperKinematics(Model);
    }

    /// <summary>Torso half up, arm straight ahead: gripper at about (1.13, 0, 0.99) m.</summary>
    public static double[] ReadyPose
    {
        get
        {
            var q = new double[FetchJoints.Count];
            q[FetchJoints.IndexOf(FetchJoints.TorsoLift)] = 0.2;
            return q;
        }
    }

    public FetchTwin Twin { get; }
    public EStopLatch Latch { get; }
    public SafetySupervisor Supervisor { get; }
    public ControlLoop Loop { get; }
    public ModelGripperKinematics Kinematics { get; }
    public TimeSpan Period => Loop.Period;

    /// <summary>The twin's true joint positions (not through the supervisor).</summary>
    public double[] TruePositions()
    {
        var state = new RobotState();
        Twin.ReadState(state);
        return state.Position;
    }

    /// <summary>Runs the loop for <paramref name="duration"/> and returns the largest arm/torso joint
    /// displacement seen from the position at the start.</summary>
    public double MaxDisplacementOver(TimeSpan duration)
    {
        double[] start = TruePositions();
        double max = 0;
        long cycles = (long)Math.Round(duration / Period);
        for (long c = 0; c < cycles; c++)
        {
            Loop.RunCycle();
            double[] now = TruePositions();
            foreach (string joint in FetchJoints.ArmWithTorso)
            {
                int i = FetchJoints.IndexOf(joint);
                max = Math.Max(max, Math.Abs(now[i] - start[i]));
            }
        }
        return max;
    }

    /// <summary>Runs cycles until the latch stops or <paramref name="maxCycles"/> pass; returns the cycles run.</summary>
    public int RunUntilStopped(int maxCycles)
    {
        for (int c = 1; c <= maxCycles; c++)
        {
            Loop.RunCycle();
            if (Latch.IsStopped)
            {
                return c;
            }
        }
        return -1;
    }

    public void Dispose()
    {
        Loop.Dispose();
        Supervisor.Dispose();
        Twin.Dispose();
    }
}

/// <summary>
/// A policy that sweeps the shoulder pan from the ready pose toward +0.9 rad over 3 s (0.3 rad/s),
/// re-sending its goal every cycle like a streaming policy, with a hook to misbehave on demand.
/// </summary>
internal sealed class SweepingArmPolicy : IControlCycle
{
    private TimeSpan _now;
    private TimeSpan? _start;

    /// <summary>Replaces the normal command when set (NaN, out-of-workspace, throwing...).</summary>
    public Action<IRobot>? Override { get; set; }

    /// <summary>Runs inside the infer stage when set (slow policy, throwing policy).</summary>
    public Action? InferHook { get; set; }

    public void Infer(CycleObservation observation)
    {
        _now = observation.Time;
        _start ??= _now;
        InferHook?.Invoke();
    }

    public void Command(IRobot robot)
    {
        if (Override is { } command)
        {
            command(robot);
            return;
        }
        var arm = new double[7];
        arm[0] = 0.9;
        TimeSpan remaining = _start!.Value + TimeSpan.FromSeconds(3) - _now;
        if (remaining < TimeSpan.FromMilliseconds(100))
        {
            remaining = TimeSpan.FromMilliseconds(100);
        }
        robot.SendTrajectory(new JointTrajectory(JointGroup.Arm, [new TrajectoryPoint(arm, null, remaining)]));
    }
}

/// <summary>
/// Fault injection around the real twin for what the in-process twin cannot do by itself: a
/// network link that drops. Everything else passes straight through to the twin.
/// </summary>
internal sealed class LinkFault(IRobot inner) : ForwardingRobot(inner)
{
    public volatile bool Lost;
    public override LinkStatus Link => Lost ? LinkStatus.Lost : Inner.Link;
}
