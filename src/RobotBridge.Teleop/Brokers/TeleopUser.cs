namespace RobotBridge.Teleop.Brokers;

/// <summary>What a broker user may do (see <see cref="TeleopAccessPolicy"/>).</summary>
public enum TeleopRole
{
    /// <summary>The robot bridge: reads operator topics, publishes state and telemetry.</summary>
    Robot,
    /// <summary>An operator: may publish motion, heartbeat and reset under its own name.</summary>
    Operator,
    /// <summary>Anyone else with an account: may watch and may trip the e-stop, nothing more.</summary>
    Observer,
}

/// <summary>One broker account. The name is also the operator id in the topic tree.</summary>
public sealed record TeleopUser(string Name, string Password, TeleopRole Role)
{
    public override string ToString() => $"{Name} ({Role})";
}
