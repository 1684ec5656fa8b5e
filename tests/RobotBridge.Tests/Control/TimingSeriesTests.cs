using RobotBridge.Control;

namespace RobotBridge.Tests.Control;

public class TimingSeriesTests
{
    [Fact]
    public void Percentiles_follow_the_nearest_rank_definition()
    {
        var series = new TimingSeries();
        for (int i = 1; i <= 100; i++)
        {
            series.Add(i);
        }
        var s = series.Summarize();
        Assert.Equal(100, s.Count);
        Assert.Equal(50, s.P50);
        Assert.Equal(99, s.P99);
        Assert.Equal(100, s.Max);
        Assert.Equal(50.5, s.Mean);
    }

    [Fact]
    public void The_ring_keeps_the_latest_samples()
    {
        var series = new TimingSeries(capacity: 10);
        for (int i = 1; i <= 25; i++)
        {
            series.Add(i);
        }
        var s = series.Summarize();
        Assert.Equal(25, s.Count);
        Assert.Equal(25, s.Max);
        Assert.Equal(20, s.P50);
    }
}
