using RobotBridge.Control;
using RobotBridge.Robots;

namespace RobotBridge.Recording;

/// <summary>
/// Records the joint states a wall-clock robot (e.g. RosFetch) receives, at their own rate rather
/// than once per control step, so a bag shows what the arm did between steps — how fast it braked
/// after an e-stop, whether it crept while stopped. A dedicated thread polls
/// <see cref="IRobot.ReadState"/> and records each newly received state at its receive time
/// (<see cref="RobotState.ReceivedAt"/>, the robot clock the episode is recorded on).
/// </summary>
/// <remarks>Read the body itself, not the safety supervisor in front of it: this is an observer and
/// must not run the supervisor's state checks from a second thread. Not for a lockstep twin (its
/// state only changes when the env steps it).</remarks>
public sealed class JointStateRecording : IDisposable
{
    private readonly IRobot _robot;
    private readonly EpisodeRecorder _recorder;
    private readonly TimeSpan _poll;
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;

    /// <param name="poll">How often the state is read; well under the robot's joint state period (10 ms on a Fetch).</param>
    public JointStateRecording(IRobot robot, EpisodeRecorder recorder, TimeSpan? poll = null)
    {
        ArgumentNullException.ThrowIfNull(robot);
        ArgumentNullException.ThrowIfNull(recorder);
        if (robot.Clock.IsVirtual)
        {
            throw new ArgumentException("joint states of a lockstep (virtual-clock) robot are recorded by the loop that steps it", nameof(robot));
        }
        _robot = robot;
        _recorder = recorder;
        _poll = poll ?? TimeSpan.FromMilliseconds(4);
        _thread = new Thread(Run) { IsBackground = true, Name = "joint state recording" };
        _thread.Start();
    }

    /// <summary>Joint states recorded so far.</summary>
    public long Recorded => Interlocked.Read(ref _recorded);

    private long _recorded;

    private void Run()
    {
        var state = new RobotState();
        TimeSpan last = TimeSpan.MinValue;
        using var gone = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        var scheduler = new FixedRateScheduler(new WallClock(spinThreshold: TimeSpan.Zero), _poll, new FixedRateSchedulerOptions { TimingCapacity = 256 });
        scheduler.Run(() =>
        {
            try
            {
                _robot.ReadState(state);
                if (state.IsValid && state.ReceivedAt != last)
                {
                    last = state.ReceivedAt;
                    _recorder.RecordJointState(state.ReceivedAt, state);
                    Interlocked.Increment(ref _recorded);
                }
            }
            catch (ObjectDisposedException)
            {
                gone.Cancel(); // the robot went away first: nothing left to record
            }
        }, gone.Token);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join();
        _stop.Dispose();
    }
}
