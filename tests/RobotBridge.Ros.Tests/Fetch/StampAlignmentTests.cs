using RobotBridge.Ros.Fetch;

namespace RobotBridge.Ros.Tests.Fetch;

public sealed class StampAlignmentTests
{
    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    [Fact]
    public void Stamps_of_another_time_base_map_onto_the_bridge_clock_by_the_fastest_message()
    {
        // The robot's clock reads 1 000 000 s (ROS time) when the bridge's reads 5 s; messages take 3, 1, 7 ms.
        var alignment = new StampAlignment();
        TimeSpan robotAtBridgeFive = TimeSpan.FromSeconds(1_000_000);
        TimeSpan Robot(double bridgeMs) => robotAtBridgeFive + Ms(bridgeMs - 5000);

        Assert.Equal(Ms(5003), alignment.ToLocal(Robot(5000), Ms(5003))); // the first message defines the offset so far
        Assert.Equal(Ms(5101), alignment.ToLocal(Robot(5100), Ms(5101))); // a faster one (1 ms) defines it from now on
        TimeSpan frame = alignment.ToLocal(Robot(5150), Ms(5157));
        Assert.Equal(Ms(5151), frame);
        Assert.Equal(Ms(6), Ms(5157) - frame); // its true 7 ms less the fastest message's 1 ms
        Assert.Equal(Ms(5201), alignment.ToLocal(Robot(5200), Ms(5210))); // slower messages do not move it
    }

    [Fact]
    public void A_robot_clock_that_steps_is_followed_within_a_window_and_no_stamp_lies_in_the_future()
    {
        var alignment = new StampAlignment(TimeSpan.FromSeconds(1));
        for (int i = 0; i < 20; i++)
        {
            TimeSpan received = Ms(100 * i + 2);
            Assert.True(alignment.ToLocal(Ms(100 * i), received) <= received);
        }
        Assert.Equal(Ms(2), alignment.Offset);

        // The robot's clock steps back by 50 ms (an NTP correction): its messages now look 50 ms older.
        TimeSpan local = default;
        for (int i = 20; i < 45; i++)
        {
            TimeSpan received = Ms(100 * i + 2);
            local = alignment.ToLocal(Ms(100 * i - 50), received);
            Assert.True(local <= received);
        }
        Assert.Equal(Ms(52), alignment.Offset);
        Assert.Equal(Ms(100 * 44 + 2), local); // ages are back to the transport time alone
    }
}
