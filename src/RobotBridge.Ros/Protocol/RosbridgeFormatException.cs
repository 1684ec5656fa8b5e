namespace RobotBridge.Ros.Protocol;

/// <summary>
/// A rosbridge frame or message body that could not be understood: malformed JSON/CBOR, a missing
/// required field, a field of the wrong type. The message says what was wrong and where.
/// </summary>
public sealed class RosbridgeFormatException : Exception
{
    public RosbridgeFormatException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}
