using RobotBridge.Recording;

namespace RobotBridge.Cli.Tests.EndToEnd;

/// <summary>The end of every e-stop chain test: the arm reached rest within its braking bound and stayed there.</summary>
internal static class StopHeld
{
    /// <summary>The Fetch's controllers (and so the twin) brake at their joint acceleration limit
    /// (1 rad/s²), so rest takes speed / 1 rad/s² after the stop arrives; six control periods cover
    /// transport and scheduling. Creeping more than 5 mrad while stopped fails.</summary>
    public static void Assert(StopReport stop, double speedAtTrip, TimeSpan period)
    {
        Xunit.Assert.NotNull(stop.StopLatency);
        TimeSpan brakingBound = TimeSpan.FromSeconds(speedAtTrip / 1.0) + 6 * period;
        Xunit.Assert.True(stop.StopLatency <= brakingBound, $"arm at rest {stop.StopLatency?.TotalMilliseconds:F0} ms after the trip, bound {brakingBound.TotalMilliseconds:F0} ms");
        Xunit.Assert.True(stop.ArmTravelAfterStop < 0.005, $"arm crept {stop.ArmTravelAfterStop} rad while stopped");
    }
}
