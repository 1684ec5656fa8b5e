using RobotBridge.Ros.Messages;
using System.Numerics;
using System.Text;
using RobotBridge.Ros.Protocol;

namespace RobotBridge.Ros.Serialization;

/// <summary>
/// Reads one ROS message body from a rosbridge encoding (<see cref="JsonRosReader"/>,
/// <see cref="CborRosReader"/>). A message reads itself with <see cref="BeginMessage"/> and a
/// <see cref="NextField"/> loop, so field order does not matter and missing fields keep their
/// defaults, as in rosbridge. Unknown fields are skipped, or rejected when <see cref="Strict"/>
/// (rosbridge drops a message with an unknown field). Every fault is a
/// <see cref="RosbridgeFormatException"/> naming the field.
/// </summary>
public abstract class RosReader
{
    private readonly byte[] _lastField = new byte[64];
    private int _lastFieldLength;

    /// <summary>Reject unknown fields instead of skipping them.</summary>
    public bool Strict { get; init; }

    public abstract void BeginMessage();

    /// <summary>Moves to the next field of the current message; false (and the message is closed) at its end.</summary>
    public bool NextField(out ReadOnlySpan<byte> name)
    {
        if (!MoveToField(out name))
        {
            return false;
        }
        _lastFieldLength = Math.Min(name.Length, _lastField.Length);
        name[.._lastFieldLength].CopyTo(_lastField);
        return true;
    }

    protected abstract bool MoveToField(out ReadOnlySpan<byte> name);

    /// <summary>Skips the current value.</summary>
    public abstract void Skip();
    public abstract bool ReadBool();
    public abstract long ReadInt();
    public abstract ulong ReadUInt();
    /// <summary>Float field: accepts integers, <c>null</c> (NaN, as rosbridge writes non-finite
    /// values) and the named literals <c>NaN</c>/<c>Infinity</c>.</summary>
    public abstract double ReadDouble();
    /// <summary>Reads a string, returning <paramref name="reuse"/> when it holds the same text
    /// (so repeated names such as JointState.name allocate nothing).</summary>
    public abstract string ReadString(string? reuse = null);
    /// <summary>uint8[]: base64 text or an int array in JSON, a byte string in CBOR.</summary>
    public abstract void ReadBytes(PooledArray<byte> into);
    /// <summary>Numeric array: a JSON array, or a CBOR typed array (any element type, converted) or plain array.</summary>
    public abstract void ReadNumbers<T>(PooledArray<T> into) where T : unmanaged, INumber<T>;
    /// <summary>Starts an array and returns its length; call <see cref="NextElement"/> before each element.</summary>
    public abstract int BeginArray();
    public abstract void NextElement();
    public abstract void EndArray();

    /// <summary>Time or duration in either dialect's spelling (secs/nsecs or sec/nanosec).</summary>
    public RosTime ReadTime()
    {
        int secs = 0;
        uint nsecs = 0;
        BeginMessage();
        while (NextField(out var name))
        {
            if (name.SequenceEqual("secs"u8) || name.SequenceEqual("sec"u8))
            {
                secs = checked((int)ReadInt());
            }
            else if (name.SequenceEqual("nsecs"u8) || name.SequenceEqual("nanosec"u8))
            {
                nsecs = checked((uint)ReadUInt());
            }
            else
            {
                UnknownField(name, "time");
            }
        }
        return new RosTime(secs, nsecs);
    }

    /// <summary>string[] into <paramref name="into"/>, keeping the instances of unchanged strings.</summary>
    public virtual void ReadStringArray(List<string> into)
    {
        int n = BeginArray();
        for (int i = 0; i < n; i++)
        {
            NextElement();
            if (i < into.Count)
            {
                into[i] = ReadString(into[i]);
            }
            else
            {
                into.Add(ReadString());
            }
        }
        if (into.Count > n)
        {
            into.RemoveRange(n, into.Count - n);
        }
        EndArray();
    }

    /// <summary>Fixed-size numeric array such as CameraInfo.K: the length must match.</summary>
    public void ReadFixed(double[] into, string field)
    {
        using var scratch = new PooledArray<double>();
        ReadNumbers(scratch);
        if (scratch.Count != into.Length)
        {
            throw new RosbridgeFormatException($"field '{field}' must hold {into.Length} numbers, got {scratch.Count}");
        }
        scratch.Span.CopyTo(into);
    }

    /// <summary>Reads an array of messages into <paramref name="into"/>, reusing its instances.</summary>
    public void ReadMessages<TMessage>(List<TMessage> into) where TMessage : IRosMessage, new()
    {
        int n = BeginArray();
        for (int i = 0; i < n; i++)
        {
            NextElement();
            if (i == into.Count)
            {
                into.Add(new TMessage());
            }
            into[i].Read(this);
        }
        if (into.Count > n)
        {
            into.RemoveRange(n, into.Count - n);
        }
        EndArray();
    }

    /// <summary>Called by a message for a field it does not have.</summary>
    public void UnknownField(ReadOnlySpan<byte> name, string messageType)
    {
        if (Strict)
        {
            throw new RosbridgeFormatException($"message type {messageType} does not have a field '{Encoding.UTF8.GetString(name)}'");
        }
        Skip();
    }

    /// <summary>Name of the field read last, for error messages.</summary>
    public string LastField => Encoding.UTF8.GetString(_lastField, 0, _lastFieldLength);

    protected RosbridgeFormatException Mismatch(string expected, object actual) =>
        new($"field '{LastField}': expected {expected}, got {actual}");
}
