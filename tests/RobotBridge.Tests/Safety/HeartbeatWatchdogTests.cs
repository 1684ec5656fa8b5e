using RobotBridge.Safety;

namespace RobotBridge.Tests.Safety;

public class HeartbeatWatchdogTests
{
    private TimeSpan _now;
    private readonly EStopLatch _latch = new(new EStopLatchOptions { AuthorisedOperators = ["alice"] });

    private HeartbeatWatchdog NewWatchdog() =>
        new(_latch, EStopSource.Watchdog("teleop heartbeat"), TimeSpan.FromMilliseconds(500), () => _now);

    [Fact]
    public void Regular_heartbeats_keep_the_latch_running()
    {
        var watchdog = NewWatchdog();
        for (int i = 0; i < 20; i++)
        {
            _now += TimeSpan.FromMilliseconds(100);
            watchdog.Beat();
            Assert.True(watchdog.Check());
        }
        Assert.False(_latch.IsStopped);
    }

    [Fact]
    public void A_missed_heartbeat_trips_and_resumed_heartbeats_clear_but_do_not_reset()
    {
        var watchdog = NewWatchdog();
        watchdog.Beat();
        _now += TimeSpan.FromMilliseconds(500);
        Assert.True(watchdog.Check());
        _now += TimeSpan.FromMilliseconds(1);
        Assert.False(watchdog.Check());
        Assert.Equal(EStopState.Tripped, _latch.Snapshot.State);
        Assert.Contains("no heartbeat", _latch.Snapshot.LastTrip!.Cause);
        Assert.Equal(EStopResetResult.SourcesActive, _latch.TryReset("alice"));

        watchdog.Beat();
        Assert.Equal(EStopState.AwaitingReset, _latch.Snapshot.State);
        Assert.Equal(EStopResetResult.Accepted, _latch.TryReset("alice"));
    }

    [Fact]
    public void No_heartbeat_at_all_trips_after_the_timeout_from_creation()
    {
        var watchdog = NewWatchdog();
        _now += TimeSpan.FromSeconds(1);
        Assert.False(watchdog.Check());
        Assert.True(_latch.IsStopped);
    }

    [Fact]
    public void Releasing_the_deadman_trips_immediately()
    {
        var watchdog = NewWatchdog();
        watchdog.Beat(deadmanHeld: false);
        Assert.Equal(EStopState.Tripped, _latch.Snapshot.State);
        Assert.Contains("dead-man", _latch.Snapshot.LastTrip!.Cause);
        watchdog.Beat(deadmanHeld: true);
        Assert.Equal(EStopState.AwaitingReset, _latch.Snapshot.State);
    }

    [Fact]
    public void The_timer_checks_without_anyone_calling_check()
    {
        using var watchdog = new HeartbeatWatchdog(_latch, EStopSource.Watchdog("hb"), TimeSpan.FromMilliseconds(50),
            () => TimeSpan.FromTicks(System.Diagnostics.Stopwatch.GetElapsedTime(0).Ticks));
        var tripped = new ManualResetEventSlim();
        _latch.Tripped += _ => tripped.Set();
        watchdog.StartTimer(TimeSpan.FromMilliseconds(10));
        Assert.True(tripped.Wait(TimeSpan.FromSeconds(5)));
    }
}
