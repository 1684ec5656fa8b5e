using System.Diagnostics;
using RobotBridge.Robots;

namespace RobotBridge.Teleop.Tests.Teleop;

/// <summary>
/// The robot interface as a probe: records every command with a <see cref="Stopwatch"/> timestamp, so
/// tests can see what reached the robot and when. Stands in until the MuJoCo twin (issue 4) lands.
/// </summary>
internal sealed class RecordingRobot : IRobot
{
    private readonly object _gate = new();
    private readonly List<(string Kind, string Detail, long Ticks)> _calls = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public IRobotClock Clock => new WallClock(_clock);
    public LinkStatus Link => LinkStatus.Connected;

    public IReadOnlyList<(string Kind, string Detail, long Ticks)> Calls
    {
        get { lock (_gate) { return _calls.ToArray(); } }
    }

    public int Count(string kind)
    {
        lock (_gate) { return _calls.Count(c => c.Kind == kind); }
    }

    public long? LastTicks(string kind)
    {
        lock (_gate) { return _calls.LastOrDefault(c => c.Kind == kind) is { Kind: not null } c ? c.Ticks : null; }
    }

    public void ReadState(RobotState state)
    {
        state.IsValid = true;
        state.Stamp = _clock.Elapsed;
    }

    public CameraFrame? TryGetCameraFrame() => null;
    public void SendTrajectory(JointTrajectory trajectory) { trajectory.Validate(); Record("trajectory", trajectory.Group.ToString()); }
    public void SendCartesianTwist(in Twist twist) => Record("twist", twist.ToString());
    public void SendGripper(double separation, double maxEffort) => Record("gripper", $"{separation} {maxEffort}");
    public void SendBaseTwist(in Twist twist) => Record("base", twist.ToString());
    public void Stop(string reason) => Record("stop", reason);
    public void SetRunstop(bool engaged) => Record("runstop", engaged.ToString());
    public void Dispose() { }

    private void Record(string kind, string detail)
    {
        lock (_gate)
        {
            _calls.Add((kind, detail, Stopwatch.GetTimestamp()));
        }
    }

    private sealed class WallClock(Stopwatch clock) : IRobotClock
    {
        public TimeSpan Now => clock.Elapsed;
        public bool IsVirtual => false;
        public void WaitUntil(TimeSpan time, CancellationToken cancellationToken = default)
        {
            var wait = time - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                Task.Delay(wait, cancellationToken).Wait(cancellationToken);
            }
        }
    }
}
