namespace RobotBridge.Teleop.Robot;

/// <summary>Why an operator message was not acted on. Counted per reason, never silently.</summary>
public enum RefusalReason
{
    /// <summary>The operator in the topic is not on the bridge's list.</summary>
    NotAuthorised,
    /// <summary>The payload did not parse or failed validation.</summary>
    BadPayload,
    /// <summary>Older than its ttl_ms by the robot's estimate (see <see cref="MessageAgeEstimator"/>).</summary>
    Expired,
    /// <summary>Sequence number not newer than one already seen on that topic.</summary>
    OutOfOrder,
    /// <summary>Dead-man not held, in the command or in the operator's latest heartbeat.</summary>
    DeadmanNotHeld,
    /// <summary>The e-stop latch is tripped or awaiting reset.</summary>
    EStopActive,
    /// <summary>A command arrived with the retain flag: a retained command would run for every late subscriber.</summary>
    Retained,
    /// <summary>The robot refused the command (threw); the robot was stopped.</summary>
    RobotRejected,
}

/// <summary>Counters of a <see cref="TeleopBridge"/>; thread-safe.</summary>
public sealed class TeleopBridgeStats
{
    private readonly long[] _refused = new long[Enum.GetValues<RefusalReason>().Length];
    private long _executed;
    private long _trips;
    private long _heartbeats;
    private long _reconnects;

    public long Executed => Interlocked.Read(ref _executed);
    public long Trips => Interlocked.Read(ref _trips);
    public long Heartbeats => Interlocked.Read(ref _heartbeats);
    public long Connects => Interlocked.Read(ref _reconnects);

    public long Refused(RefusalReason reason) => Interlocked.Read(ref _refused[(int)reason]);

    public long RefusedTotal => _refused.Sum(r => Interlocked.Read(ref r));

    internal void CountExecuted() => Interlocked.Increment(ref _executed);
    internal void CountTrip() => Interlocked.Increment(ref _trips);
    internal void CountHeartbeat() => Interlocked.Increment(ref _heartbeats);
    internal void CountConnect() => Interlocked.Increment(ref _reconnects);
    internal void CountRefused(RefusalReason reason) => Interlocked.Increment(ref _refused[(int)reason]);

    public override string ToString() =>
        $"executed {Executed}, trips {Trips}, heartbeats {Heartbeats}, refused " +
        string.Join(", ", Enum.GetValues<RefusalReason>().Where(r => Refused(r) > 0).Select(r => $"{r} {Refused(r)}"));
}
