using RobotBridge.Ros.Protocol;

namespace RobotBridge.Ros.Client;

/// <summary>The subscribe op's parameters plus the client-side mailbox.</summary>
public sealed record SubscribeOptions
{
    /// <summary>Minimum ms between messages on the server (it drops, not delays). 0 = every message.</summary>
    public int ThrottleRateMs { get; init; }

    /// <summary>Server-side queue length (0 = send from the callback).</summary>
    public int QueueLength { get; init; }

    /// <summary>Sent only when set: its mere presence changes rosbridge's fragmentation for the whole connection.</summary>
    public int? FragmentSize { get; init; }

    public Compression Compression { get; init; } = Compression.None;

    /// <summary>Client-side bounded mailbox: 1 keeps only the latest message (high-rate topics).</summary>
    public int MailboxCapacity { get; init; } = 1;

    /// <summary>
    /// With <see cref="Protocol.Compression.Cbor"/>: if no message arrives this long after subscribing,
    /// resubscribe with JSON. rosbridge 1 silently fails to CBOR-encode string[] (JointState) and
    /// fixed-size arrays, so the client sees nothing at all (reference §4.4).
    /// </summary>
    public TimeSpan? FallbackToJsonAfter { get; init; }

    public static SubscribeOptions Default { get; } = new();
}
