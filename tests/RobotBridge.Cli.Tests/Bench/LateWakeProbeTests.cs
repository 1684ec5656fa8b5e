using RobotBridge.Cli.Bench;

namespace RobotBridge.Cli.Tests.Bench;

public class LateWakeProbeTests
{
    [Fact]
    public void A_wake_more_than_one_and_a_half_periods_late_is_listed_with_its_cpu_wait_and_steal()
    {
        Assert.True(OperatingSystem.IsLinux(), "the probe reads Linux /proc counters");
        using var probe = new LateWakeProbe(TimeSpan.FromMilliseconds(2));
        // Warm-up with a late wake that Restart forgets.
        probe.Observe(0.000);
        probe.Observe(0.010);
        probe.Restart();
        probe.Observe(0.012);
        probe.Observe(0.0149); // 1.45 periods: not late
        probe.Observe(0.0229); // 8 ms: late
        for (int k = 1; k <= 11; k++)
        {
            probe.Observe(0.0229 + 0.002 * k); // on time; ≥ 20 ms after the late wake its steal is read
        }
        string[] report = probe.Report(origin: 0.0).ToArray();

        Assert.Equal(2, report.Length);
        Assert.Contains("late wake at 0.023 s: period 8.000 ms, waited for a CPU ", report[0]);
        Assert.Matches(@"steal on cpu\d+ \d+ ms", report[0]);
        Assert.StartsWith("  1 late wakes: ", report[1]);
        Assert.Contains("against 8.0 ms of their periods", report[1]);
    }

    [Fact]
    public void Late_wakes_at_one_phase_of_a_100_ms_cycle_are_called_phase_locked()
    {
        using var probe = new LateWakeProbe(TimeSpan.FromMilliseconds(2));
        // 2 ms wakes from 1 s on; at 1.094, 1.394, 1.794 and 1.999 s the wake comes 4 ms late.
        double t = 1.0;
        probe.Observe(t);
        foreach (double lateAt in (double[])[1.094, 1.394, 1.794, 1.999])
        {
            while (t + 0.002 < lateAt - 0.004)
            {
                t += 0.002;
                probe.Observe(t);
            }
            t = lateAt;
            probe.Observe(t);
        }
        string[] report = probe.Report(origin: 1.0).ToArray();

        Assert.Equal(4 + 2, report.Length);
        Assert.StartsWith("  3 of 4 ended within ±1 ms of the same phase of a 100 ms cycle (wake time mod 100 ms ≈ 94 ms)", report[^1]);
    }

    [Fact]
    public void Nothing_late_reports_nothing()
    {
        using var probe = new LateWakeProbe(TimeSpan.FromMilliseconds(10));
        for (int k = 0; k < 100; k++)
        {
            probe.Observe(0.010 * k);
        }
        Assert.Empty(probe.Report(0.0));
    }
}
