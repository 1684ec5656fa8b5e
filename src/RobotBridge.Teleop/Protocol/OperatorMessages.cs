namespace RobotBridge.Teleop.Protocol;

/// <summary>
/// Fields every operator message carries. <see cref="Seq"/> increases by one per message on each
/// topic (the robot drops anything not newer than what it has seen); <see cref="TMs"/> is the
/// operator's monotonic clock in milliseconds, from which the robot estimates how long the message
/// was under way (see <see cref="Robot.MessageAgeEstimator"/>).
/// </summary>
public interface IOperatorMessage
{
    long Seq { get; }
    long TMs { get; }
}

/// <summary>A motion command: executed only while <see cref="Deadman"/> is held and for at most
/// <see cref="TtlMs"/> after it was sent; older ones are dropped, not executed late.</summary>
public interface IMotionCommand : IOperatorMessage
{
    int TtlMs { get; }
    bool Deadman { get; }
}

/// <summary><c>op/&lt;operator&gt;/heartbeat</c>: <c>{"seq":7,"t_ms":120034,"deadman":true}</c>.</summary>
public sealed record OperatorHeartbeat : IOperatorMessage
{
    public required long Seq { get; init; }
    public required long TMs { get; init; }
    public required bool Deadman { get; init; }
}

/// <summary><c>op/&lt;operator&gt;/cmd/gripper_twist</c>: gripper twist in torso_lift_link, m/s and rad/s:
/// <c>{"seq":8,"t_ms":120040,"ttl_ms":200,"deadman":true,"linear":[0.05,0,0],"angular":[0,0,0]}</c>.</summary>
public sealed record GripperTwistCommand : IMotionCommand
{
    public required long Seq { get; init; }
    public required long TMs { get; init; }
    public required int TtlMs { get; init; }
    public required bool Deadman { get; init; }
    public required double[] Linear { get; init; }
    public required double[] Angular { get; init; }
}

/// <summary><c>op/&lt;operator&gt;/cmd/base_twist</c>: <c>{"seq","t_ms","ttl_ms","deadman","linear_x":0.2,"angular_z":0.0}</c>.</summary>
public sealed record BaseTwistCommand : IMotionCommand
{
    public required long Seq { get; init; }
    public required long TMs { get; init; }
    public required int TtlMs { get; init; }
    public required bool Deadman { get; init; }
    public required double LinearX { get; init; }
    public required double AngularZ { get; init; }
}

/// <summary><c>op/&lt;operator&gt;/cmd/head</c>: head target in rad, reached in <c>duration_ms</c>:
/// <c>{"seq","t_ms","ttl_ms","deadman","pan":0.3,"tilt":0.2,"duration_ms":500}</c>.</summary>
public sealed record HeadCommand : IMotionCommand
{
    public required long Seq { get; init; }
    public required long TMs { get; init; }
    public required int TtlMs { get; init; }
    public required bool Deadman { get; init; }
    public required double Pan { get; init; }
    public required double Tilt { get; init; }
    public int DurationMs { get; init; } = 500;
}

/// <summary><c>op/&lt;operator&gt;/cmd/gripper</c>: finger separation (0 closed … 0.1 m open) and effort (N):
/// <c>{"seq","t_ms","ttl_ms","deadman","separation":0.1,"max_effort":60}</c>.</summary>
public sealed record GripperCommand : IMotionCommand
{
    public required long Seq { get; init; }
    public required long TMs { get; init; }
    public required int TtlMs { get; init; }
    public required bool Deadman { get; init; }
    public required double Separation { get; init; }
    public double MaxEffort { get; init; } = 60;
}

/// <summary><c>op/&lt;operator&gt;/estop/reset</c>: <c>{"seq":3,"t_ms":130000}</c>.</summary>
public sealed record EStopResetRequest : IOperatorMessage
{
    public required long Seq { get; init; }
    public required long TMs { get; init; }
}

/// <summary><c>estop/trip</c>, from anyone: <c>{"by":"pendant-2","reason":"person in cell"}</c>.
/// Every field is optional and a payload that does not parse still trips (fail safe).</summary>
public sealed record EStopTripRequest
{
    public long? Seq { get; init; }
    public string? By { get; init; }
    public string? Reason { get; init; }
}
