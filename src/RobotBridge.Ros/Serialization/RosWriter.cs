using RobotBridge.Ros.Messages;
using System.Numerics;
using RobotBridge.Ros.Protocol;

namespace RobotBridge.Ros.Serialization;

/// <summary>
/// Writes one ROS message body in a rosbridge encoding. Messages describe themselves once through
/// these calls and get JSON (<see cref="JsonRosWriter"/>) and CBOR (<see cref="CborRosWriter"/>)
/// for free. Call order mirrors the message: <see cref="BeginMessage"/>, then for each field
/// <see cref="Field"/> followed by exactly one value, then <see cref="EndMessage"/>.
/// </summary>
public abstract class RosWriter
{
    protected RosWriter(RosDialect dialect) => Dialect = dialect;

    public RosDialect Dialect { get; }

    /// <summary>Starts a message with <paramref name="fieldCount"/> fields (CBOR writes definite-length maps).</summary>
    public abstract void BeginMessage(int fieldCount);
    public abstract void EndMessage();
    public abstract void Field(string name);
    public abstract void Bool(bool value);
    public abstract void Int(long value);
    public abstract void UInt(ulong value);
    /// <summary>float32/float64 scalar. JSON writes NaN/±Inf as <c>null</c>, as rosbridge does.</summary>
    public abstract void Double(double value);
    public abstract void String(string value);
    /// <summary>uint8[] / char[]: base64 in JSON, an untagged byte string in CBOR.</summary>
    public abstract void Bytes(ReadOnlySpan<byte> value);
    /// <summary>Numeric array other than uint8: a JSON array, or a CBOR typed-array tag over packed little-endian bytes.</summary>
    public abstract void Numbers<T>(ReadOnlySpan<T> values) where T : unmanaged, INumber<T>;
    public abstract void StringArray(IReadOnlyList<string> values);
    public abstract void BeginArray(int count);
    public abstract void EndArray();

    /// <summary>A time or duration in this dialect's spelling (R1 secs/nsecs, R2 sec/nanosec).</summary>
    public void Time(RosTime time)
    {
        BeginMessage(2);
        if (Dialect == RosDialect.Ros1)
        {
            Field("secs");
            Int(time.Secs);
            Field("nsecs");
            UInt(time.Nsecs);
        }
        else
        {
            Field("sec");
            Int(time.Secs);
            Field("nanosec");
            UInt(time.Nsecs);
        }
        EndMessage();
    }

    public void Message(IRosMessage message) => message.Write(this);

    public void Messages<TMessage>(IReadOnlyList<TMessage> messages) where TMessage : IRosMessage
    {
        BeginArray(messages.Count);
        for (int i = 0; i < messages.Count; i++)
        {
            messages[i].Write(this);
        }
        EndArray();
    }
}
