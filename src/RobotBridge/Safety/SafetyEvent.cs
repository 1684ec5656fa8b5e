namespace RobotBridge.Safety;

/// <summary>What happened to the e-stop latch.</summary>
public enum SafetyEventKind
{
    /// <summary>A source asserted a stop condition; the latch is (now or still) tripped.</summary>
    Trip,
    /// <summary>A source's stop condition went away; the latch stays tripped until reset.</summary>
    Clear,
    /// <summary>An authorised reset released the latch; motion commands are accepted again.</summary>
    Reset,
    /// <summary>A reset was asked for and refused (sources still active, or not authorised).</summary>
    ResetRefused,
    /// <summary>Something went wrong while handling a safety event (a callback threw); logged, never swallowed silently.</summary>
    Fault,
}

/// <summary>
/// One entry of the safety log: what happened, who caused it and why, and when on three clocks:
/// wall time (UTC, for humans and logs), robot-clock time (virtual on the twin), and a monotonic
/// timestamp (<see cref="System.Diagnostics.Stopwatch"/> ticks) for measuring latencies.
/// </summary>
public sealed record SafetyEvent(
    long Sequence,
    SafetyEventKind Kind,
    EStopSource Source,
    string Cause,
    DateTimeOffset WallTime,
    TimeSpan? RobotTime,
    long MonotonicTicks)
{
    public override string ToString() =>
        $"#{Sequence} {WallTime:O} robot={RobotTime?.TotalSeconds.ToString("F4") ?? "-"}s {Kind} {Source}: {Cause}";
}
