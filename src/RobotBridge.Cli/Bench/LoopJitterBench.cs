using RobotBridge.Control;
using RobotBridge.Robots;

namespace RobotBridge.Cli.Bench;

/// <summary>
/// Pacing of the RobotBridge control loop on the wall clock: a <see cref="ControlLoop"/> on its
/// dedicated thread with an empty cycle (no robot I/O), so the figures are the loop's own pacing,
/// comparable with an empty rospy.Rate loop.
/// </summary>
internal static class LoopJitterBench
{
    public static (double[] Wakes, string Scheduling) Run(double rateHz, double seconds, int realtimePriority)
    {
        int count = (int)(rateHz * seconds);
        var robot = new IdleRobot();
        // The first second is warm-up (JIT tiering, page faults) and is not recorded.
        var recorder = new WakeRecorder(count, skip: (int)rateHz);
        using var loop = new ControlLoop(robot, recorder, new ControlLoopOptions
        {
            RateHz = rateHz,
            MissPolicy = DeadlineMissPolicy.Skip,
            MissesBeforeStop = int.MaxValue,
            TimingCapacity = count + 1,
            RealtimePriority = realtimePriority,
        });
        loop.Start();
        recorder.Done.Wait();
        loop.Stop();
        return (recorder.Wakes, loop.SchedulingNote);
    }

    /// <summary>Records each cycle's start time (loop clock, seconds) until the buffer is full.</summary>
    private sealed class WakeRecorder(int count, int skip) : IControlCycle
    {
        private int _next;
        private int _skipped;
        public double[] Wakes { get; } = new double[count];
        public ManualResetEventSlim Done { get; } = new();

        public void Infer(CycleObservation observation)
        {
            if (_skipped < skip)
            {
                _skipped++;
                return;
            }
            if (_next < Wakes.Length)
            {
                Wakes[_next++] = observation.Time.TotalSeconds;
                if (_next == Wakes.Length)
                {
                    Done.Set();
                }
            }
        }

        public void Command(IRobot robot)
        {
        }
    }

    /// <summary>A body with a wall clock and nothing else, so only pacing is measured.</summary>
    private sealed class IdleRobot : IRobot
    {
        private readonly WallClock _clock = new();
        public IRobotClock Clock => _clock;
        public LinkStatus Link => LinkStatus.Connected;
        public void ReadState(RobotState state)
        {
            state.IsValid = true;
            state.ReceivedAt = state.Stamp = _clock.Now;
        }
        public CameraFrame? TryGetCameraFrame() => null;
        public void SendTrajectory(JointTrajectory trajectory) { }
        public void SendCartesianTwist(in Twist twist) { }
        public void SendGripper(double separation, double maxEffort) { }
        public void SendBaseTwist(in Twist twist) { }
        public void Stop(string reason) { }
        public void SetRunstop(bool engaged) { }
        public void Dispose() { }
    }
}
