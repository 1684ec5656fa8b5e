namespace RobotBridge.Ros.Protocol;

/// <summary>Per-subscription encoding of the server's <c>publish</c> messages (subscribe's <c>compression</c>).</summary>
public enum Compression
{
    /// <summary>JSON text frames.</summary>
    None,
    /// <summary>The JSON text packed into an RGB PNG, sent as a <c>png</c> op.</summary>
    Png,
    /// <summary>One binary CBOR frame per message, numeric arrays as typed-array tags.</summary>
    Cbor,
    /// <summary>Binary CBOR wrapping the serialised ROS message bytes; needs the message definition to decode.</summary>
    CborRaw,
}

public static class CompressionNames
{
    public static string ToWire(this Compression compression) => compression switch
    {
        Compression.Png => "png",
        Compression.Cbor => "cbor",
        Compression.CborRaw => "cbor-raw",
        _ => "none",
    };

    /// <summary>Any unknown string behaves like <c>none</c>, as in rosbridge_suite.</summary>
    public static Compression Parse(string? wire) => wire switch
    {
        "png" => Compression.Png,
        "cbor" => Compression.Cbor,
        "cbor-raw" => Compression.CborRaw,
        _ => Compression.None,
    };

    /// <summary>Priority used when one client subscribes to a topic twice: cbor-raw &gt; cbor &gt; png &gt; none.</summary>
    public static int Priority(this Compression compression) => compression switch
    {
        Compression.CborRaw => 3,
        Compression.Cbor => 2,
        Compression.Png => 1,
        _ => 0,
    };
}
