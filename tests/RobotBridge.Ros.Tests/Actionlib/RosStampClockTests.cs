using RobotBridge.Ros.Client;
using RobotBridge.Ros.Serialization;

namespace RobotBridge.Ros.Tests.Actionlib;

/// <summary>Goal and header stamps in ROS time, as a ROS node stamps them.</summary>
public sealed class RosStampClockTests
{
    /// <summary>A machine's clocks, moved by the test: UTC and a monotonic counter in ticks.</summary>
    private sealed class ManualTime(DateTimeOffset utc) : TimeProvider
    {
        private long _ticks = 1;

        public DateTimeOffset Utc { get; private set; } = utc;

        public override DateTimeOffset GetUtcNow() => Utc;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by)
        {
            Utc += by;
            _ticks += by.Ticks;
        }
    }

    private static readonly DateTimeOffset Today = new(2026, 12, 7, 2, 0, 0, TimeSpan.Zero);

    private static TimeSpan Epoch(DateTimeOffset t) => t - DateTimeOffset.UnixEpoch;

    [Fact]
    public void Before_the_robot_has_spoken_stamps_are_the_wall_clock_epoch_and_a_later_process_stamps_later()
    {
        var machine = new ManualTime(Today);
        var first = new RosStampClock(machine);
        RosTime a = first.Now();
        Assert.Equal(Epoch(Today), a.ToTimeSpan());

        machine.Advance(TimeSpan.FromSeconds(3)); // the first process exits, a second one starts
        var second = new RosStampClock(machine);
        RosTime b = second.Now();
        Assert.True(b.ToTimeSpan() > a.ToTimeSpan(), $"second process stamped {b}, not after the first's {a}");
        Assert.False(second.UsesRobotClock);
    }

    [Fact]
    public void Once_learned_stamps_follow_the_robots_clock_and_never_run_ahead_of_it()
    {
        // A served twin: its clock counts from its own start (120 s in), ours from the epoch.
        var machine = new ManualTime(Today);
        var clock = new RosStampClock(machine);
        TimeSpan robot = TimeSpan.FromSeconds(120);
        foreach (double delayMs in new[] { 4.0, 1.0, 6.0 })
        {
            var sent = RosTime.FromTimeSpan(robot);
            machine.Advance(TimeSpan.FromMilliseconds(delayMs)); // in flight
            robot += TimeSpan.FromMilliseconds(delayMs);
            clock.Observe(sent);
            machine.Advance(TimeSpan.FromMilliseconds(10 - delayMs));
            robot += TimeSpan.FromMilliseconds(10 - delayMs);
        }
        Assert.True(clock.UsesRobotClock);
        TimeSpan stamp = clock.Now().ToTimeSpan();
        Assert.True(stamp <= robot, $"stamp {stamp} is in the robot's future (its clock reads {robot})");
        Assert.True(robot - stamp <= TimeSpan.FromMilliseconds(6.0001), $"stamp {stamp} lags the robot's {robot} by more than the newest message's 6 ms");
    }

    [Fact]
    public void A_robot_clock_slower_than_ours_is_followed_not_outrun()
    {
        // A served twin on a loaded machine: its simulation runs at half of real time.
        var machine = new ManualTime(Today);
        var clock = new RosStampClock(machine);
        TimeSpan robot = TimeSpan.FromSeconds(5);
        TimeSpan worstAhead = TimeSpan.Zero;
        for (int i = 0; i < 2000; i++) // 20 s of joint states every 10 ms of our time
        {
            clock.Observe(RosTime.FromTimeSpan(robot));
            machine.Advance(TimeSpan.FromMilliseconds(9));
            robot += TimeSpan.FromMilliseconds(4.5);
            TimeSpan ahead = clock.Now().ToTimeSpan() - robot;
            worstAhead = ahead > worstAhead ? ahead : worstAhead;
            machine.Advance(TimeSpan.FromMilliseconds(1));
            robot += TimeSpan.FromMilliseconds(0.5);
        }
        // Between two messages the estimate runs at our rate: at most half a message period ahead.
        Assert.True(worstAhead <= TimeSpan.FromMilliseconds(5), $"stamps ran up to {worstAhead.TotalMilliseconds:F1} ms into the robot's future");
    }

    [Fact]
    public void Zero_stamps_teach_nothing()
    {
        var machine = new ManualTime(Today);
        var clock = new RosStampClock(machine);
        clock.Observe(default);
        Assert.False(clock.UsesRobotClock);
        Assert.Equal(Epoch(Today), clock.Now().ToTimeSpan());
    }

    [Fact]
    public void Stamps_only_grow_even_when_asked_faster_than_the_clock_ticks()
    {
        var machine = new ManualTime(Today);
        var clock = new RosStampClock(machine);
        clock.Observe(RosTime.FromSeconds(50));
        TimeSpan last = TimeSpan.MinValue;
        for (int i = 0; i < 1000; i++)
        {
            TimeSpan now = clock.Now().ToTimeSpan();
            Assert.True(now > last, $"stamp {i} is {now}, not after {last}");
            last = now;
        }
    }

    [Fact]
    public void A_reconnect_to_the_same_robot_never_steps_back_even_when_its_first_messages_are_slower()
    {
        var machine = new ManualTime(Today);
        var clock = new RosStampClock(machine);
        TimeSpan robot = TimeSpan.FromSeconds(500);
        clock.Observe(RosTime.FromTimeSpan(robot)); // 0 ms in flight
        TimeSpan before = clock.Now().ToTimeSpan();

        clock.Relearn();
        TimeSpan fallback = clock.Now().ToTimeSpan(); // between connect and the first message: the wall clock
        Assert.Equal(Epoch(Today), fallback);
        // After the reconnect, the first message took 40 ms: the robot estimate is 40 ms behind the last stamp.
        machine.Advance(TimeSpan.FromMilliseconds(40));
        clock.Observe(RosTime.FromTimeSpan(robot));
        TimeSpan after = clock.Now().ToTimeSpan();
        Assert.True(after > before, $"after the reconnect the stamp went from {before} back to {after}");
    }

    [Fact]
    public void A_restarted_robot_clock_is_followed_after_a_reconnect()
    {
        var machine = new ManualTime(Today);
        var clock = new RosStampClock(machine);
        clock.Observe(RosTime.FromSeconds(500));
        Assert.Equal(TimeSpan.FromSeconds(500), clock.Now().ToTimeSpan());

        clock.Relearn(); // a new simulation behind the link counts from 0 again; its action servers remember nothing
        machine.Advance(TimeSpan.FromSeconds(2));
        clock.Observe(RosTime.FromSeconds(1));
        Assert.Equal(TimeSpan.FromSeconds(1), clock.Now().ToTimeSpan());
    }

    [Fact]
    public void Without_a_reconnect_a_robot_clock_behind_the_last_stamp_does_not_pull_stamps_back()
    {
        var machine = new ManualTime(Today);
        var clock = new RosStampClock(machine);
        clock.Observe(RosTime.FromSeconds(500));
        TimeSpan before = clock.Now().ToTimeSpan();
        machine.Advance(TimeSpan.FromSeconds(11)); // past the alignment's window
        clock.Observe(RosTime.FromSeconds(300)); // the robot's clock stepped back 211 s
        machine.Advance(TimeSpan.FromSeconds(11));
        clock.Observe(RosTime.FromSeconds(311));
        Assert.True(clock.Now().ToTimeSpan() > before);
    }
}
