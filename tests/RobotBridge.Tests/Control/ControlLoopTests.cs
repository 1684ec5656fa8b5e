using System.Diagnostics;
using RobotBridge.Control;
using RobotBridge.Robots;

namespace RobotBridge.Tests.Control;

public class ControlLoopTests
{
    [Fact]
    public void Lockstep_cycles_advance_the_virtual_clock_by_exactly_one_period()
    {
        var robot = new StepClockRobot();
        var cycle = new ActionCycle(_ => { });
        using var loop = new ControlLoop(robot, cycle, new ControlLoopOptions { RateHz = 25 });

        loop.RunCycles(50);

        Assert.Equal(TimeSpan.FromSeconds(2), robot.Now);
        Assert.Equal(50, cycle.Commands);
        var timing = loop.Timing.Summarize();
        Assert.Equal(50, timing.Cycles);
        Assert.Equal(40, timing.Period.P50, 6);
        Assert.Equal(40, timing.Period.Max, 6);
        Assert.Equal(0, timing.Jitter.Max, 6);
    }

    [Fact]
    public void An_exception_in_the_policy_stops_the_robot_and_the_loop_keeps_running()
    {
        var robot = new StepClockRobot();
        int calls = 0;
        var cycle = new ActionCycle(_ =>
        {
            if (++calls == 3)
            {
                throw new InvalidOperationException("policy exploded");
            }
        });
        using var loop = new ControlLoop(robot, cycle);

        loop.RunCycles(10);

        Assert.Equal(1, robot.Stops);
        Assert.Contains("policy exploded", robot.LastStopReason);
        Assert.True(loop.IsFaulted);
        Assert.Equal(10, loop.Timing.Cycles);
        Assert.Equal(2, cycle.Commands);
        Assert.Equal(1, loop.Timing.Faults);

        loop.ClearFault();
        loop.RunCycle();
        Assert.Equal(3, cycle.Commands);
    }

    [Fact]
    public void Consecutive_deadline_misses_stop_the_robot_after_n()
    {
        var robot = new StepClockRobot();
        var slow = new ActionCycle(_ => SpinFor(TimeSpan.FromMilliseconds(3)));
        using var loop = new ControlLoop(robot, slow, new ControlLoopOptions { RateHz = 500, MissesBeforeStop = 3 });

        loop.RunCycles(2);
        Assert.Equal(0, robot.Stops);
        loop.RunCycle();

        Assert.Equal(1, robot.Stops);
        Assert.Contains("deadline", robot.LastStopReason);
        Assert.Equal(3, loop.Timing.Overruns);
    }

    [Fact]
    public void Hold_policy_holds_position_on_every_miss()
    {
        var robot = new StepClockRobot();
        var slow = new ActionCycle(_ => SpinFor(TimeSpan.FromMilliseconds(3)));
        using var loop = new ControlLoop(robot, slow, new ControlLoopOptions
        {
            RateHz = 500, MissPolicy = DeadlineMissPolicy.Hold, MissesBeforeStop = 100,
        });

        loop.RunCycles(2);

        Assert.Equal(2, robot.Stops);
        Assert.Contains("holding", robot.LastStopReason);
        Assert.False(loop.IsFaulted);
    }

    [Fact]
    public void A_fast_cycle_is_not_a_miss()
    {
        var robot = new StepClockRobot();
        using var loop = new ControlLoop(robot, new ActionCycle(_ => { }), new ControlLoopOptions { RateHz = 25 });
        loop.RunCycles(20);
        Assert.Equal(0, loop.Timing.Overruns);
        Assert.Equal(0, robot.Stops);
    }

    [Fact]
    public void The_wall_clock_loop_thread_never_runs_faster_than_its_rate_and_stops_on_request()
    {
        using var robot = new FakeRobot(new WallClock());
        var cycle = new ActionCycle(_ => { });
        using var loop = new ControlLoop(robot, cycle, new ControlLoopOptions { RateHz = 200, MissesBeforeStop = 1000 });

        TimeSpan started = robot.Clock.Now;
        loop.Start();
        Thread.Sleep(300);
        loop.Stop();
        TimeSpan elapsed = robot.Clock.Now - started;
        long cycles = loop.Timing.Cycles;

        Assert.False(loop.IsRunning);
        Assert.InRange(cycles, 1, (long)(elapsed.TotalSeconds * 200) + 1);
        Thread.Sleep(30);
        Assert.Equal(cycles, loop.Timing.Cycles);
    }

    [Fact]
    public void Inline_camera_frames_reach_the_observation_and_replaced_frames_are_disposed()
    {
        var robot = new StepClockRobot();
        var frames = new List<CameraFrame>();
        robot.Camera = () =>
        {
            var frame = new CameraFrame(4, 4, robot.Now, withDepth: false);
            frames.Add(frame);
            return frame;
        };
        CameraFrame? seen = null;
        using var loop = new ControlLoop(robot, new ActionCycle(o => seen = o.Camera),
            new ControlLoopOptions { Camera = CameraIngestMode.Inline });

        loop.RunCycles(3);

        Assert.Same(frames[2], seen);
        Assert.Throws<ObjectDisposedException>(() => frames[0].Rgb.Length);
    }

    [Fact]
    public void Options_outside_the_supported_rate_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new ControlLoop(new StepClockRobot(), new ActionCycle(_ => { }), new ControlLoopOptions { RateHz = 1000 }));
    }

    [Fact]
    public void A_lockstep_cycle_allocates_nothing()
    {
        var robot = new StepClockRobot();
        using var loop = new ControlLoop(robot, new EmptyCycle(), new ControlLoopOptions { RateHz = 100 });
        // Steady state: the runtime may allocate on this thread while it re-JITs hot methods
        // (tiered compilation), so take the best of a few measured rounds after a warm-up.
        loop.RunCycles(2000);
        long allocated = long.MaxValue;
        for (int round = 0; round < 5 && allocated > 0; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            loop.RunCycles(1000);
            allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, allocated);
    }

    private sealed class EmptyCycle : IControlCycle
    {
        public void Infer(CycleObservation observation) { }
        public void Command(IRobot robot) { }
    }

    private static void SpinFor(TimeSpan duration)
    {
        long start = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(start) < duration)
        {
            Thread.SpinWait(10);
        }
    }
}
