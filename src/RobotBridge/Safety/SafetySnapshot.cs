namespace RobotBridge.Safety;

/// <summary>A source that currently asserts a stop, with the cause it gave and when it tripped.</summary>
public sealed record ActiveStop(EStopSource Source, string Cause, DateTimeOffset Since, TimeSpan? RobotTime);

/// <summary>
/// Immutable picture of the e-stop latch at one instant, cheap to read from any thread (the latch
/// publishes a new one on every change). This is what a Gym step puts into <c>info["safety"]</c>.
/// </summary>
public sealed record SafetySnapshot(
    EStopState State,
    IReadOnlyList<ActiveStop> ActiveSources,
    SafetyEvent? LastTrip,
    long TripCount)
{
    public static SafetySnapshot Initial { get; } = new(EStopState.Running, [], null, 0);

    /// <summary>True while the latch holds the robot stopped (tripped or awaiting reset).</summary>
    public bool IsStopped => State != EStopState.Running;

    /// <summary>Flat key/value view for logs and Gym <c>info</c> dictionaries.</summary>
    public IReadOnlyDictionary<string, object?> ToDictionary() => new Dictionary<string, object?>
    {
        ["state"] = State.ToString(),
        ["stopped"] = IsStopped,
        ["trip_count"] = TripCount,
        ["cause"] = LastTrip?.Cause,
        ["source"] = LastTrip?.Source.ToString(),
        ["tripped_at_robot_s"] = LastTrip?.RobotTime?.TotalSeconds,
        ["tripped_at_utc"] = LastTrip?.WallTime,
        ["active_sources"] = ActiveSources.Select(a => a.Source.ToString()).ToArray(),
    };

    public override string ToString() => IsStopped
        ? $"{State}: {LastTrip?.Cause} (by {LastTrip?.Source}; {ActiveSources.Count} source(s) active)"
        : "Running";
}
