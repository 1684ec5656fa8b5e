using RobotBridge.Teleop.Robot;

namespace RobotBridge.Teleop.Tests.Teleop;

public sealed class MessageAgeEstimatorTests
{
    [Fact]
    public void A_message_slower_than_the_fastest_path_is_aged_by_the_difference_whatever_the_clock_offset()
    {
        var estimator = new MessageAgeEstimator(TimeSpan.FromSeconds(10));
        const long offset = 5_000_000; // the operator's clock is far from the robot's; it must not matter
        Assert.Equal(0, estimator.Observe(1000 + offset, 1000 - 2));      // 2 ms transit: the baseline
        Assert.Equal(1, estimator.Observe(1050 + offset, 1050 - 3));      // 3 ms transit
        Assert.Equal(800, estimator.Observe(1900 + offset, 1100 - 2));    // sent at 1098, arrived 800 ms later than the fastest path
    }

    [Fact]
    public void The_baseline_follows_clock_drift_across_windows()
    {
        var estimator = new MessageAgeEstimator(TimeSpan.FromSeconds(1));
        estimator.Observe(0, 0);
        // The path gets 20 ms slower for good (a drifting clock looks the same): after two windows the
        // old, faster baseline is forgotten and fresh messages are young again.
        long age = 0;
        for (long t = 100; t <= 2500; t += 100)
        {
            age = estimator.Observe(t, t - 20);
        }
        Assert.Equal(0, age);
    }
}
