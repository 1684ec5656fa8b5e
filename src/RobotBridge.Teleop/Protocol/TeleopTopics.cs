namespace RobotBridge.Teleop.Protocol;

/// <summary>What an operator publishes, by the last levels of its topic under <c>op/&lt;operator&gt;/</c>.</summary>
public enum OperatorChannel
{
    /// <summary><c>heartbeat</c>: the operator is present; carries the dead-man flag.</summary>
    Heartbeat,
    /// <summary><c>cmd/gripper_twist</c>: Cartesian twist of the gripper.</summary>
    GripperTwist,
    /// <summary><c>cmd/base_twist</c>: base twist (forward speed, turn rate).</summary>
    BaseTwist,
    /// <summary><c>cmd/head</c>: head pan/tilt target.</summary>
    Head,
    /// <summary><c>cmd/gripper</c>: finger separation target.</summary>
    Gripper,
    /// <summary><c>estop/reset</c>: asks to release the latched e-stop.</summary>
    EStopReset,
}

/// <summary>
/// The MQTT topic tree of one robot, rooted at <c>robotbridge/&lt;robot&gt;/</c>:
/// <code>
/// robotbridge/&lt;robot&gt;/
///   estop/trip                      anyone → robot     trip the e-stop (QoS 1)
///   op/&lt;operator&gt;/heartbeat          operator → robot   presence + dead-man (QoS 0)
///   op/&lt;operator&gt;/cmd/gripper_twist  operator → robot   motion (QoS 0, expiring)
///   op/&lt;operator&gt;/cmd/base_twist     operator → robot
///   op/&lt;operator&gt;/cmd/head           operator → robot
///   op/&lt;operator&gt;/cmd/gripper        operator → robot
///   op/&lt;operator&gt;/estop/reset        operator → robot   release the latch (QoS 1)
///   state/estop                     robot → all        e-stop state (QoS 1, retained)
///   state/link                      robot → all        bridge online/offline (QoS 1, retained, also the will)
///   state/events                    robot → all        safety event history (QoS 1)
///   telemetry/joints                robot → all        joint state (QoS 0, expiring)
///   telemetry/loop                  robot → all        loop timing (QoS 0, expiring)
///   telemetry/camera                robot → all        head camera, JPEG, throttled (QoS 0, expiring)
/// </code>
/// The operator's name is part of the topic so that a broker ACL can tie it to the MQTT user name
/// (mosquitto <c>%u</c>, the embedded broker's <see cref="Brokers.TeleopAccessPolicy"/>): nobody can
/// publish under another operator's name, and the robot knows who sent each command.
/// </summary>
public sealed class TeleopTopics
{
    public const string Root = "robotbridge";

    public TeleopTopics(string robotId)
    {
        RequireLevel(robotId, nameof(robotId));
        RobotId = robotId;
        Base = $"{Root}/{robotId}";
        EStopTrip = Base + "/estop/trip";
        EStopState = Base + "/state/estop";
        Link = Base + "/state/link";
        SafetyEvents = Base + "/state/events";
        Joints = Base + "/telemetry/joints";
        LoopTiming = Base + "/telemetry/loop";
        Camera = Base + "/telemetry/camera";
        AllOperators = Base + "/op/+/#";
        AllState = Base + "/state/#";
        AllTelemetry = Base + "/telemetry/#";
    }

    public string RobotId { get; }
    public string Base { get; }
    public string EStopTrip { get; }
    public string EStopState { get; }
    public string Link { get; }
    public string SafetyEvents { get; }
    public string Joints { get; }
    public string LoopTiming { get; }
    public string Camera { get; }

    /// <summary>Filter the robot subscribes to for every operator's messages.</summary>
    public string AllOperators { get; }
    public string AllState { get; }
    public string AllTelemetry { get; }

    /// <summary>The topic on which <paramref name="operatorId"/> publishes <paramref name="channel"/>.</summary>
    public string Operator(string operatorId, OperatorChannel channel)
    {
        RequireLevel(operatorId, nameof(operatorId));
        return $"{Base}/op/{operatorId}/{ChannelPath(channel)}";
    }

    /// <summary>Splits <c>robotbridge/&lt;robot&gt;/op/&lt;operator&gt;/&lt;channel&gt;</c> of this robot.</summary>
    public bool TryParseOperatorTopic(string topic, out string operatorId, out OperatorChannel channel)
    {
        operatorId = "";
        channel = default;
        string prefix = Base + "/op/";
        if (!topic.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }
        ReadOnlySpan<char> rest = topic.AsSpan(prefix.Length);
        int slash = rest.IndexOf('/');
        if (slash <= 0)
        {
            return false;
        }
        OperatorChannel? parsed = rest[(slash + 1)..] switch
        {
            "heartbeat" => OperatorChannel.Heartbeat,
            "cmd/gripper_twist" => OperatorChannel.GripperTwist,
            "cmd/base_twist" => OperatorChannel.BaseTwist,
            "cmd/head" => OperatorChannel.Head,
            "cmd/gripper" => OperatorChannel.Gripper,
            "estop/reset" => OperatorChannel.EStopReset,
            _ => null,
        };
        if (parsed is not { } known)
        {
            return false;
        }
        operatorId = rest[..slash].ToString();
        channel = known;
        return true;
    }

    public static string ChannelPath(OperatorChannel channel) => channel switch
    {
        OperatorChannel.Heartbeat => "heartbeat",
        OperatorChannel.GripperTwist => "cmd/gripper_twist",
        OperatorChannel.BaseTwist => "cmd/base_twist",
        OperatorChannel.Head => "cmd/head",
        OperatorChannel.Gripper => "cmd/gripper",
        OperatorChannel.EStopReset => "estop/reset",
        _ => throw new ArgumentOutOfRangeException(nameof(channel), channel, "unknown operator channel"),
    };

    /// <summary>A robot or operator id becomes one topic level: it must not be empty or hold MQTT
    /// separators or wildcards.</summary>
    public static void RequireLevel(string value, string what)
    {
        ArgumentNullException.ThrowIfNull(value, what);
        if (value.Length == 0 || value.AsSpan().IndexOfAny("/+#\0") >= 0 || value.StartsWith('$'))
        {
            throw new ArgumentException(
                $"{what} '{value}' cannot be an MQTT topic level: it must be non-empty, not start with '$' and hold none of '/', '+', '#'", what);
        }
    }
}
