using System.Diagnostics;
using RobotBridge.Robots;

namespace RobotBridge.Teleop.Tests.Teleop;

/// <summary>
/// A probe at the robot interface: forwards every call to the real body (the MuJoCo twin) and records
/// it with a <see cref="Stopwatch"/> timestamp, so tests see what reached the robot and when.
/// </summary>
internal sealed class CommandProbe(IRobot inner) : IRobot
{
    private readonly object _gate = new();
    private readonly List<(string Kind, string Detail, long Ticks)> _calls = [];

    public IRobot Inner => inner;
    public IRobotClock Clock => inner.Clock;
    public LinkStatus Link => inner.Link;

    public IReadOnlyList<(string Kind, string Detail, long Ticks)> Calls
    {
        get { lock (_gate) { return _calls.ToArray(); } }
    }

    public int Count(string kind)
    {
        lock (_gate) { return _calls.Count(c => c.Kind == kind); }
    }

    public void ReadState(RobotState state) => inner.ReadState(state);
    public CameraFrame? TryGetCameraFrame() => inner.TryGetCameraFrame();

    public void SendTrajectory(JointTrajectory trajectory)
    {
        Record("trajectory", trajectory.Group.ToString());
        inner.SendTrajectory(trajectory);
    }

    public void SendCartesianTwist(in Twist twist)
    {
        Record("twist", twist.ToString());
        inner.SendCartesianTwist(twist);
    }

    public void SendGripper(double separation, double maxEffort)
    {
        Record("gripper", $"{separation} {maxEffort}");
        inner.SendGripper(separation, maxEffort);
    }

    public void SendBaseTwist(in Twist twist)
    {
        Record("base", twist.ToString());
        inner.SendBaseTwist(twist);
    }

    public void Stop(string reason)
    {
        Record("stop", reason);
        inner.Stop(reason);
    }

    public void SetRunstop(bool engaged)
    {
        Record("runstop", engaged.ToString());
        inner.SetRunstop(engaged);
    }

    public void Dispose() => inner.Dispose();

    private void Record(string kind, string detail)
    {
        long now = Stopwatch.GetTimestamp();
        lock (_gate)
        {
            _calls.Add((kind, detail, now));
        }
    }
}
