using System.Diagnostics;
using RobotBridge.Control;
using RobotBridge.Robots;
using RobotBridge.Safety;
using RobotBridge.Sim.Twin;

namespace RobotBridge.Cli.Bench;

/// <summary>
/// E-stop latency: from the moment a source calls <see cref="EStopLatch.Trip"/> to the moment the
/// supervisor's stop command reaches the robot's <see cref="IRobot.Stop"/> (it has left the
/// supervisor), and until that call returned (the twin has aborted its goals and holds). Set-up as
/// deployed: the twin in real time, a supervised 100 Hz control loop streaming arm goals on its own
/// thread, trips from a separate "button" thread.
/// </summary>
internal static class SupervisorStopLatencyBench
{
    public sealed record Result(TimingSummary TripToStopCall, TimingSummary TripToStopReturned, int Trips);

    public static Result Run(int trips, double loopRateHz)
    {
        using var twin = new FetchTwin(new FetchTwinOptions { ClockMode = TwinClockMode.RealTime });
        var ready = new double[FetchJoints.Count];
        ready[FetchJoints.IndexOf(FetchJoints.TorsoLift)] = 0.2;
        twin.SetRobotJoints(ready);
        var probe = new StopProbe(twin);
        var latch = new EStopLatch(new EStopLatchOptions { AuthorisedOperators = ["bench"], RobotTime = () => twin.Clock.Now });
        using var supervisor = ModelSafety.SuperviseFetch(probe, latch, ownsRobot: false);
        using var loop = new ControlLoop(supervisor, new SwayingArm(), new ControlLoopOptions { RateHz = loopRateHz, MissesBeforeStop = int.MaxValue });
        loop.Start();

        var button = EStopSource.Button("bench button");
        var toCall = new double[trips];
        var toReturn = new double[trips];
        var random = new Random(1);
        for (int i = 0; i < trips; i++)
        {
            // Trip at a random phase of the loop cycle.
            Thread.Sleep(random.Next(2, 8));
            long before = Stopwatch.GetTimestamp();
            latch.Trip(button, "bench trip");
            toCall[i] = Stopwatch.GetElapsedTime(before, probe.LastStopEntered).TotalMilliseconds;
            toReturn[i] = Stopwatch.GetElapsedTime(before, probe.LastStopReturned).TotalMilliseconds;
            latch.Clear(button, "released");
            if (latch.TryReset("bench") != EStopResetResult.Accepted)
            {
                throw new InvalidOperationException($"bench could not reset the latch: {latch.Snapshot}");
            }
        }
        loop.Stop();
        return new Result(TimingSeries.Summarize(toCall, trips), TimingSeries.Summarize(toReturn, trips), trips);
    }

    /// <summary>Streams a slow shoulder-pan sway, so the twin is moving when the stop comes.</summary>
    private sealed class SwayingArm : IControlCycle
    {
        private readonly double[] _target = new double[7];

        public void Infer(CycleObservation observation) =>
            _target[0] = 0.4 * Math.Sin(observation.Time.TotalSeconds);

        public void Command(IRobot robot) =>
            robot.SendTrajectory(new JointTrajectory(JointGroup.Arm, [new TrajectoryPoint((double[])_target.Clone(), null, TimeSpan.FromMilliseconds(200))]));
    }

    /// <summary>Timestamps Stop calls on their way from the supervisor to the twin.</summary>
    private sealed class StopProbe(IRobot inner) : ForwardingRobot(inner)
    {
        private long _entered, _returned;
        public long LastStopEntered => Interlocked.Read(ref _entered);
        public long LastStopReturned => Interlocked.Read(ref _returned);

        public override void Stop(string reason)
        {
            Interlocked.Exchange(ref _entered, Stopwatch.GetTimestamp());
            Inner.Stop(reason);
            Interlocked.Exchange(ref _returned, Stopwatch.GetTimestamp());
        }
    }
}
