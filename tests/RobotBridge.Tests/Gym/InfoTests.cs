using RobotBridge.Gym;

namespace RobotBridge.Tests.Gym;

public class InfoTests
{
    private static readonly InfoKey<double> Distance = new("distance");

    [Fact]
    public void Typed_values_round_trip_and_clear_keeps_nothing_visible()
    {
        var info = new Info();
        info.Set(InfoKeys.IsSuccess, true);
        info.Set(Distance, 0.25);
        Assert.True(info.Get(InfoKeys.IsSuccess));
        Assert.Equal(0.25, info.Get(Distance));
        Assert.Equal(2, info.Count);
        info.Clear();
        Assert.Equal(0, info.Count);
        Assert.False(info.TryGet(Distance, out _));
        var e = Assert.Throws<KeyNotFoundException>(() => info.Get(Distance));
        Assert.Contains("distance", e.Message);
    }

    [Fact]
    public void Reusing_an_info_after_clear_does_not_allocate()
    {
        var info = new Info();
        var timing = new StepTiming(TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(40), default, default, default);
        info.Set(InfoKeys.Timing, timing);
        info.Set(Distance, 1);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            info.Clear();
            info.Set(InfoKeys.Timing, timing);
            info.Set(Distance, i);
            _ = info.Get(Distance);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void A_key_name_cannot_change_type()
    {
        var info = new Info();
        info.Set(Distance, 1);
        Assert.Throws<InvalidOperationException>(() => info.Set(new InfoKey<int>("distance"), 2));
    }
}
