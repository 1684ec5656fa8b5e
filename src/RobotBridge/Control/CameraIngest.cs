using RobotBridge.Robots;

namespace RobotBridge.Control;

/// <summary>
/// Camera frames on their own thread: polls <see cref="IRobot.TryGetCameraFrame"/> and posts each
/// new frame to a latest-value mailbox, so decoding or a slow camera never delays a control cycle.
/// Frames nobody took are disposed (their pooled buffers go back).
/// </summary>
public sealed class CameraIngest : IDisposable
{
    private readonly IRobot _robot;
    private readonly TimeSpan _poll;
    private readonly Thread _thread;
    private readonly CancellationTokenSource _stop = new();
    private long _errors;

    public CameraIngest(IRobot robot, TimeSpan pollInterval)
    {
        _robot = robot;
        _poll = pollInterval;
        Frames = new LatestValueMailbox<CameraFrame>(frame => frame.Dispose());
        _thread = new Thread(Run) { IsBackground = true, Name = "RobotBridge camera ingest" };
    }

    public LatestValueMailbox<CameraFrame> Frames { get; }

    /// <summary>Exceptions the robot's camera threw (counted, the thread keeps polling).</summary>
    public long Errors => Interlocked.Read(ref _errors);

    public void Start() => _thread.Start();

    private void Run()
    {
        TimeSpan? lastStamp = null;
        // A polling grid on the wall clock, no spinning: a frame a millisecond late is still the latest.
        var scheduler = new FixedRateScheduler(new WallClock(spinThreshold: TimeSpan.Zero), _poll, new FixedRateSchedulerOptions { TimingCapacity = 256 });
        scheduler.Run(() =>
        {
            try
            {
                if (_robot.TryGetCameraFrame() is { } frame)
                {
                    if (lastStamp is { } last && frame.Stamp <= last)
                    {
                        frame.Dispose();
                    }
                    else
                    {
                        lastStamp = frame.Stamp;
                        Frames.Post(frame);
                    }
                }
            }
            catch (Exception)
            {
                // A camera fault must not kill ingestion; the supervisor's stale-camera bound stops
                // the robot if frames stop coming.
                Interlocked.Increment(ref _errors);
            }
        }, _stop.Token);
    }

    public void Dispose()
    {
        _stop.Cancel();
        if (_thread.IsAlive)
        {
            _thread.Join();
        }
        Frames.Clear();
        _stop.Dispose();
    }
}
