namespace RobotBridge.Robots;

/// <summary>
/// Base for an <see cref="IRobot"/> decorator that changes one or two things and passes everything
/// else to <see cref="Inner"/> (probes, fault injection). Disposing it does not dispose the inner robot.
/// </summary>
public abstract class ForwardingRobot(IRobot inner) : IRobot
{
    protected IRobot Inner { get; } = inner ?? throw new ArgumentNullException(nameof(inner));

    public virtual IRobotClock Clock => Inner.Clock;
    public virtual LinkStatus Link => Inner.Link;
    public virtual void ReadState(RobotState state) => Inner.ReadState(state);
    public virtual CameraFrame? TryGetCameraFrame() => Inner.TryGetCameraFrame();
    public virtual void SendTrajectory(JointTrajectory trajectory) => Inner.SendTrajectory(trajectory);
    public virtual void SendCartesianTwist(in Twist twist) => Inner.SendCartesianTwist(twist);
    public virtual void SendGripper(double separation, double maxEffort) => Inner.SendGripper(separation, maxEffort);
    public virtual void SendBaseTwist(in Twist twist) => Inner.SendBaseTwist(twist);
    public virtual void Stop(string reason) => Inner.Stop(reason);
    public virtual void SetRunstop(bool engaged) => Inner.SetRunstop(engaged);
    public virtual CommandFailure? LastCommandFailure => Inner.LastCommandFailure;

    public virtual string? StateFault => Inner.StateFault;

    public virtual void Dispose()
    {
        GC.SuppressFinalize(this);
    }
}
