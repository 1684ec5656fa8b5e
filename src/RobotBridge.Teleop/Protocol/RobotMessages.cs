namespace RobotBridge.Teleop.Protocol;

/// <summary><c>state/estop</c> (retained): the latch as the robot sees it, republished on every change,
/// so a late subscriber learns it at once.</summary>
public sealed record EStopStateMessage
{
    /// <summary>Running, Tripped or AwaitingReset (<see cref="RobotBridge.Safety.EStopState"/>).</summary>
    public required string State { get; init; }
    public required bool Stopped { get; init; }
    public required long TripCount { get; init; }
    public string? Cause { get; init; }
    public string? Source { get; init; }
    public required string[] ActiveSources { get; init; }
    /// <summary>Sequence number of the safety event that produced this state.</summary>
    public required long EventSeq { get; init; }
    public required DateTimeOffset TimeUtc { get; init; }
}

/// <summary><c>state/events</c>: one safety event (trip, clear, reset, refused reset, fault).</summary>
public sealed record SafetyEventMessage
{
    public required long Seq { get; init; }
    public required string Kind { get; init; }
    public required string Source { get; init; }
    public required string Cause { get; init; }
    public required DateTimeOffset TimeUtc { get; init; }
    public double? RobotTimeS { get; init; }
}

/// <summary><c>state/link</c> (retained; the bridge's will sets it offline when the bridge dies).</summary>
public sealed record LinkMessage
{
    public required bool Online { get; init; }
    /// <summary>Robot link status (Connected, Connecting, Lost).</summary>
    public string? Robot { get; init; }
    public required DateTimeOffset TimeUtc { get; init; }
}

/// <summary><c>telemetry/joints</c>: joint state in <see cref="RobotBridge.Robots.FetchJoints.All"/> order.</summary>
public sealed record JointTelemetry
{
    public required double StampS { get; init; }
    public required IReadOnlyList<string> Names { get; init; }
    public required double[] Position { get; init; }
    public required double[] Velocity { get; init; }
    public bool Runstopped { get; init; }
}

/// <summary><c>telemetry/loop</c>: timing of the loop that drives the robot, in milliseconds.</summary>
public sealed record LoopTimingMessage
{
    public required double PeriodMs { get; init; }
    public required double LastMs { get; init; }
    public required double P99Ms { get; init; }
    public required double MaxMs { get; init; }
    public required long Overruns { get; init; }
    public required long Cycles { get; init; }
}
