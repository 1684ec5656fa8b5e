using RobotBridge.Control;
using RobotBridge.Robots;

namespace RobotBridge.Tests.Control;

public sealed class FixedRateSchedulerTests
{
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(10);

    /// <summary>A wall-like (not virtual) clock the test moves by hand: work "takes" what the test adds.</summary>
    private sealed class ManualClock : IRobotClock
    {
        public TimeSpan Now { get; set; }
        public bool IsVirtual => false;
        public void WaitUntil(TimeSpan time, CancellationToken cancellationToken = default)
        {
            if (time > Now)
            {
                Now = time;
            }
        }
    }

    [Fact]
    public void Ticks_start_on_the_grid_of_a_virtual_clock()
    {
        var robot = new StepClockRobot();
        var scheduler = new FixedRateScheduler(robot.Clock, Period);
        var starts = new List<TimeSpan>();
        for (int i = 0; i < 5; i++)
        {
            starts.Add(scheduler.BeginTick());
            Assert.False(scheduler.Complete());
            scheduler.WaitForNext();
        }
        Assert.Equal(Enumerable.Range(0, 5).Select(i => i * Period), starts);
        Assert.Equal(0, scheduler.LateWakes);
    }

    [Fact]
    public void A_late_tick_on_a_wall_clock_is_a_miss_and_the_grid_skips_the_owed_ticks()
    {
        var clock = new ManualClock();
        var scheduler = new FixedRateScheduler(clock, Period);
        scheduler.BeginTick();
        clock.Now += TimeSpan.FromMilliseconds(35); // work ran 3.5 periods
        Assert.True(scheduler.Complete());
        Assert.Equal(TimeSpan.FromMilliseconds(40), scheduler.NextTick); // next grid point ahead, not 10 ms
        Assert.Equal(3, scheduler.SkippedTicks);
        Assert.Equal(1, scheduler.ConsecutiveMisses);
        scheduler.WaitForNext();
        scheduler.BeginTick();
        Assert.False(scheduler.Complete());
        Assert.Equal(0, scheduler.ConsecutiveMisses);
        Assert.Equal(1, scheduler.Misses);
    }

    [Fact]
    public void Catch_up_runs_owed_ticks_back_to_back_within_its_limit_and_realigns_beyond_it()
    {
        var clock = new ManualClock();
        var scheduler = new FixedRateScheduler(clock, Period, new FixedRateSchedulerOptions { MissedTicks = MissedTickPolicy.CatchUp, CatchUpLimit = 5 });
        scheduler.BeginTick();
        clock.Now += TimeSpan.FromMilliseconds(35);
        scheduler.Complete();
        Assert.Equal(TimeSpan.FromMilliseconds(10), scheduler.NextTick); // owed: run now
        scheduler.BeginTick();
        clock.Now += TimeSpan.FromMilliseconds(100); // now 10 periods behind: over the limit
        scheduler.Complete();
        Assert.True(scheduler.NextTick >= clock.Now);
        Assert.Equal(0, scheduler.NextTick!.Value.Ticks % Period.Ticks); // still on the grid
    }

    [Fact]
    public void A_wake_more_than_half_a_period_late_is_counted()
    {
        var clock = new ManualClock();
        var scheduler = new FixedRateScheduler(clock, Period);
        scheduler.BeginTick();
        scheduler.Complete();
        clock.Now = TimeSpan.FromMilliseconds(16); // the OS woke us 6 ms after the 10 ms grid point
        scheduler.BeginTick();
        Assert.Equal(1, scheduler.LateWakes);
        Assert.Equal(6, scheduler.Jitter.Summarize().Max, 6);
    }

    [Fact]
    public void Run_stops_when_cancelled_without_waiting_out_a_long_period()
    {
        var scheduler = new FixedRateScheduler(new WallClock(spinThreshold: TimeSpan.Zero), TimeSpan.FromSeconds(30));
        using var cancel = new CancellationTokenSource();
        int ticks = 0;
        var thread = new Thread(() => scheduler.Run(() => ticks++, cancel.Token));
        thread.Start();
        SpinWait.SpinUntil(() => Volatile.Read(ref ticks) == 1, TimeSpan.FromSeconds(10));
        var stopping = System.Diagnostics.Stopwatch.StartNew();
        cancel.Cancel();
        Assert.True(thread.Join(TimeSpan.FromSeconds(5)));
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(2), $"took {stopping.Elapsed}");
        Assert.Equal(1, ticks);
    }
}
