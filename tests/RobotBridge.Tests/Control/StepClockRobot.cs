using RobotBridge.Robots;
using RobotBridge.Control;

namespace RobotBridge.Tests.Control;

/// <summary>
/// Minimal IRobot for loop-logic unit tests on the core (the MuJoCo twin lives in another project):
/// a virtual clock that jumps to the requested time, a state stamped with that time, and a count
/// of what was sent. Safety behaviour is tested on the twin in RobotBridge.Sim.Tests.
/// </summary>
internal sealed class StepClockRobot : IRobot, IRobotClock
{
    public TimeSpan Now { get; private set; }
    public bool IsVirtual => true;
    public IRobotClock Clock => this;
    public LinkStatus Link => LinkStatus.Connected;
    public int Trajectories;
    public int Stops;
    public string? LastStopReason;
    public Func<CameraFrame?> Camera = () => null;

    public void WaitUntil(TimeSpan time, CancellationToken cancellationToken = default)
    {
        if (time > Now)
        {
            Now = time;
        }
    }

    public void ReadState(RobotState state)
    {
        state.IsValid = true;
        state.Stamp = Now;
        state.ReceivedAt = Now;
    }

    public CameraFrame? TryGetCameraFrame() => Camera();
    public void SendTrajectory(JointTrajectory trajectory) => Trajectories++;
    public void SendCartesianTwist(in Twist twist) { }
    public void SendGripper(double separation, double maxEffort) { }
    public void SendBaseTwist(in Twist twist) { }

    public void Stop(string reason)
    {
        Stops++;
        LastStopReason = reason;
    }

    public void SetRunstop(bool engaged) { }
    public void Dispose() { }
}

/// <summary>A cycle whose infer stage runs a test-supplied action.</summary>
internal sealed class ActionCycle(Action<CycleObservation> infer) : IControlCycle
{
    public int Commands;
    public void Infer(CycleObservation observation) => infer(observation);
    public void Command(IRobot robot)
    {
        Commands++;
        robot.SendTrajectory(new JointTrajectory(JointGroup.Torso, [new TrajectoryPoint([0.1], null, TimeSpan.FromSeconds(1))]));
    }
}
