using System.Text.Json;
using System.Text.Json.Serialization;

namespace RobotBridge.Teleop.Protocol;

/// <summary>Source-generated JSON for every teleop payload: snake_case names, no reflection.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(OperatorHeartbeat))]
[JsonSerializable(typeof(GripperTwistCommand))]
[JsonSerializable(typeof(BaseTwistCommand))]
[JsonSerializable(typeof(HeadCommand))]
[JsonSerializable(typeof(GripperCommand))]
[JsonSerializable(typeof(EStopResetRequest))]
[JsonSerializable(typeof(EStopTripRequest))]
[JsonSerializable(typeof(EStopStateMessage))]
[JsonSerializable(typeof(SafetyEventMessage))]
[JsonSerializable(typeof(LinkMessage))]
[JsonSerializable(typeof(JointTelemetry))]
[JsonSerializable(typeof(LoopTimingMessage))]
internal sealed partial class TeleopJsonContext : JsonSerializerContext;

/// <summary>A teleop payload that cannot be used; the message says which topic and what was wrong.</summary>
public sealed class TeleopPayloadException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Encodes and decodes teleop payloads, validating what arrives.</summary>
public static class TeleopJson
{
    /// <summary>Longest life a motion command may ask for; longer would let a lost operator move the robot.</summary>
    public const int MaxTtlMs = 1000;

    public static byte[] Encode<T>(T message) =>
        JsonSerializer.SerializeToUtf8Bytes(message, (System.Text.Json.Serialization.Metadata.JsonTypeInfo<T>)TeleopJsonContext.Default.GetTypeInfo(typeof(T))!);

    /// <summary>Decodes <paramref name="payload"/> received on <paramref name="topic"/>, then validates it.
    /// Throws <see cref="TeleopPayloadException"/> naming the topic and the fault.</summary>
    public static T Decode<T>(ReadOnlySpan<byte> payload, string topic)
    {
        T? value;
        try
        {
            var info = (System.Text.Json.Serialization.Metadata.JsonTypeInfo<T>)TeleopJsonContext.Default.GetTypeInfo(typeof(T))!;
            value = JsonSerializer.Deserialize(payload, info);
        }
        catch (JsonException ex)
        {
            throw new TeleopPayloadException($"payload on '{topic}' is not a valid {typeof(T).Name}: {ex.Message}", ex);
        }
        if (value is null)
        {
            throw new TeleopPayloadException($"payload on '{topic}' is null; expected a {typeof(T).Name} object");
        }
        Validate(value, topic);
        return value;
    }

    private static void Validate<T>(T value, string topic)
    {
        if (value is IMotionCommand motion)
        {
            if (motion.TtlMs is <= 0 or > MaxTtlMs)
            {
                throw new TeleopPayloadException($"payload on '{topic}': ttl_ms must be in 1..{MaxTtlMs}, got {motion.TtlMs}");
            }
        }
        switch (value)
        {
            case GripperTwistCommand twist:
                RequireVector(twist.Linear, "linear", topic);
                RequireVector(twist.Angular, "angular", topic);
                break;
            case BaseTwistCommand baseTwist:
                RequireFinite(baseTwist.LinearX, "linear_x", topic);
                RequireFinite(baseTwist.AngularZ, "angular_z", topic);
                break;
            case HeadCommand head:
                RequireFinite(head.Pan, "pan", topic);
                RequireFinite(head.Tilt, "tilt", topic);
                if (head.DurationMs is < 50 or > 10_000)
                {
                    throw new TeleopPayloadException($"payload on '{topic}': duration_ms must be in 50..10000, got {head.DurationMs}");
                }
                break;
            case GripperCommand gripper:
                RequireFinite(gripper.Separation, "separation", topic);
                RequireFinite(gripper.MaxEffort, "max_effort", topic);
                break;
        }
    }

    private static void RequireVector(double[] v, string name, string topic)
    {
        if (v.Length != 3)
        {
            throw new TeleopPayloadException($"payload on '{topic}': '{name}' must have 3 elements [x,y,z], got {v.Length}");
        }
        foreach (double x in v)
        {
            RequireFinite(x, name, topic);
        }
    }

    private static void RequireFinite(double x, string name, string topic)
    {
        if (!double.IsFinite(x))
        {
            throw new TeleopPayloadException($"payload on '{topic}': '{name}' must be a finite number, got {x}");
        }
    }
}
