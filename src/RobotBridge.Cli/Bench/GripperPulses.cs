using System.Collections.Concurrent;
using RobotBridge.Control;
using RobotBridge.Recording;
using RobotBridge.Robots;

namespace RobotBridge.Cli.Bench;

/// <summary>
/// The scripted "policy" of the end-to-end measurements: the gripper up for 0.4 s, still for 0.4 s,
/// down for 0.4 s, still for 0.4 s, … at 5 cm/s through the Cartesian twist controller (10 cycles
/// of a 25 Hz loop per phase). It notes when each still → moving command was handed to the robot
/// and how old each camera frame was when the policy got it, and can record every cycle to a bag.
/// </summary>
/// <param name="clock">The robot's clock (the one its state and frame stamps are on).</param>
internal sealed class GripperPulses(IRobotClock clock, EpisodeRecorder? recorder = null) : IControlCycle
{
    /// <summary>Cycles before camera ages count: subscriptions settle in the first second.</summary>
    private const int SettleCycles = 25;

    private readonly ConcurrentQueue<TimeSpan> _onsets = new();
    private readonly ConcurrentQueue<double> _cameraAges = new();
    private readonly double[] _action = new double[3];
    private Twist _twist;
    private bool _moving;
    private TimeSpan _lastFrame = TimeSpan.MinValue;

    /// <summary>Robot-clock times at which a still → moving command was handed to the robot.</summary>
    public IReadOnlyCollection<TimeSpan> Onsets => _onsets;

    /// <summary>Robot time of the current moving phase's first command, or null while still.</summary>
    public TimeSpan? MovingSince { get; private set; }

    /// <summary>Age (ms) of the newest camera frame at each cycle after the first second.</summary>
    public IReadOnlyList<double> CameraAges() => [.. _cameraAges];

    public void Infer(CycleObservation observation)
    {
        if (observation.Camera is { } frame)
        {
            if (observation.Cycle >= SettleCycles)
            {
                _cameraAges.Enqueue((clock.Now - frame.Stamp).TotalMilliseconds);
            }
            if (frame.Stamp != _lastFrame)
            {
                _lastFrame = frame.Stamp;
                recorder?.RecordCameraFrame(frame);
            }
        }
        long phase = observation.Cycle / 10 % 4;
        double vz = phase switch { 0 => 0.05, 2 => -0.05, _ => 0 };
        _twist = new Twist(0, 0, vz, 0, 0, 0);
        _action[2] = vz;
        if (recorder is not null)
        {
            TimeSpan t = observation.State.Stamp;
            recorder.RecordJointState(observation.State);
            recorder.RecordObservation(t, observation.State.Position);
            recorder.RecordAction(t, _action);
        }
    }

    public void Command(IRobot robot)
    {
        bool moving = _twist.Vz != 0;
        if (moving && !_moving)
        {
            TimeSpan now = clock.Now;
            _onsets.Enqueue(now);
            MovingSince = now;
        }
        else if (!moving)
        {
            MovingSince = null;
        }
        _moving = moving;
        robot.SendCartesianTwist(_twist);
    }

    /// <summary>For each still → moving command: the time (ms) until the first state measured at or
    /// after it shows an arm joint moving (≥ 0.01 rad/s), from states as (measurement stamp, fastest arm
    /// joint speed) in time order; onsets without motion within 0.4 s are left out.</summary>
    public List<double> CommandToMotion(IReadOnlyList<(TimeSpan Time, double Speed)> states)
    {
        var result = new List<double>();
        foreach (TimeSpan onset in _onsets)
        {
            var moved = states.FirstOrDefault(s => s.Time >= onset && s.Speed >= 0.01);
            if (moved.Time >= onset && moved.Time - onset < TimeSpan.FromSeconds(0.4))
            {
                result.Add((moved.Time - onset).TotalMilliseconds);
            }
        }
        return result;
    }
}
