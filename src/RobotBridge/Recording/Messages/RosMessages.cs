namespace RobotBridge.Recording.Messages;

/// <summary>
/// Serializes and parses the standard messages of <see cref="RosMessageTypes"/> in the ROS 1 wire
/// format. Writers append to a reusable <see cref="RosMessageBuffer"/> (clear it first).
/// </summary>
public static class RosMessages
{
    /// <summary>std_msgs/Header.</summary>
    public static void WriteHeader(RosMessageBuffer buffer, uint seq, RosTime stamp, string frameId)
    {
        buffer.WriteUInt32(seq);
        buffer.WriteTime(stamp);
        buffer.WriteString(frameId);
    }

    /// <summary>std_msgs/String.</summary>
    public static void WriteString(RosMessageBuffer buffer, string data) => buffer.WriteString(data);

    public static string ReadString(ReadOnlySpan<byte> message) => new RosMessageReader(message).ReadString();

    /// <summary>std_msgs/Float64.</summary>
    public static void WriteFloat64(RosMessageBuffer buffer, double data) => buffer.WriteFloat64(data);

    public static double ReadFloat64(ReadOnlySpan<byte> message) => new RosMessageReader(message).ReadFloat64();

    /// <summary>std_msgs/Float64MultiArray holding one labelled dimension (a flat vector).</summary>
    public static void WriteFloat64MultiArray(RosMessageBuffer buffer, string label, ReadOnlySpan<double> values)
    {
        buffer.WriteUInt32(1); // layout.dim: one dimension
        buffer.WriteString(label);
        buffer.WriteUInt32((uint)values.Length); // size
        buffer.WriteUInt32((uint)values.Length); // stride
        buffer.WriteUInt32(0); // data_offset
        buffer.WriteFloat64Array(values);
    }

    /// <summary>Reads a std_msgs/Float64MultiArray; returns the data and the first dimension's label ("" if none).</summary>
    public static double[] ReadFloat64MultiArray(ReadOnlySpan<byte> message, out string label)
    {
        var reader = new RosMessageReader(message);
        uint dims = reader.ReadUInt32();
        label = "";
        for (uint d = 0; d < dims; d++)
        {
            string dimLabel = reader.ReadString();
            reader.ReadUInt32();
            reader.ReadUInt32();
            if (d == 0)
            {
                label = dimLabel;
            }
        }
        reader.ReadUInt32(); // data_offset
        return reader.ReadFloat64Array();
    }

    /// <summary>sensor_msgs/JointState.</summary>
    public static void WriteJointState(RosMessageBuffer buffer, uint seq, RosTime stamp, IReadOnlyList<string> names,
        ReadOnlySpan<double> position, ReadOnlySpan<double> velocity, ReadOnlySpan<double> effort)
    {
        WriteHeader(buffer, seq, stamp, "");
        buffer.WriteUInt32((uint)names.Count);
        for (int i = 0; i < names.Count; i++)
        {
            buffer.WriteString(names[i]);
        }
        buffer.WriteFloat64Array(position);
        buffer.WriteFloat64Array(velocity);
        buffer.WriteFloat64Array(effort);
    }

    /// <summary>A parsed sensor_msgs/JointState.</summary>
    public sealed record JointStateMessage(RosTime Stamp, string[] Names, double[] Position, double[] Velocity, double[] Effort);

    public static JointStateMessage ReadJointState(ReadOnlySpan<byte> message)
    {
        var reader = new RosMessageReader(message);
        reader.ReadUInt32();
        RosTime stamp = reader.ReadTime();
        reader.ReadString();
        uint count = reader.ReadUInt32();
        if (count > (uint)reader.Remaining / 4)
        {
            throw new FormatException($"JointState claims {count} names but only {reader.Remaining} bytes remain");
        }
        var names = new string[count];
        for (int i = 0; i < names.Length; i++)
        {
            names[i] = reader.ReadString();
        }
        return new JointStateMessage(stamp, names, reader.ReadFloat64Array(), reader.ReadFloat64Array(), reader.ReadFloat64Array());
    }

    /// <summary>sensor_msgs/Image with a tightly packed row (step = width × bytes per pixel).</summary>
    public static void WriteImage(RosMessageBuffer buffer, uint seq, RosTime stamp, string frameId,
        int width, int height, string encoding, int bytesPerPixel, ReadOnlySpan<byte> pixels)
    {
        WriteHeader(buffer, seq, stamp, frameId);
        buffer.WriteUInt32((uint)height);
        buffer.WriteUInt32((uint)width);
        buffer.WriteString(encoding);
        buffer.WriteUInt8(0); // is_bigendian
        buffer.WriteUInt32((uint)(width * bytesPerPixel));
        buffer.WriteUInt8Array(pixels);
    }

    /// <summary>diagnostic_msgs/DiagnosticStatus levels.</summary>
    public enum DiagnosticLevel : byte
    {
        Ok = 0,
        Warn = 1,
        Error = 2,
        Stale = 3,
    }

    /// <summary>diagnostic_msgs/DiagnosticStatus with key/value pairs.</summary>
    public static void WriteDiagnosticStatus(RosMessageBuffer buffer, DiagnosticLevel level, string name, string message,
        string hardwareId, IReadOnlyList<KeyValuePair<string, string>> values)
    {
        buffer.WriteUInt8((byte)level);
        buffer.WriteString(name);
        buffer.WriteString(message);
        buffer.WriteString(hardwareId);
        buffer.WriteUInt32((uint)values.Count);
        for (int i = 0; i < values.Count; i++)
        {
            buffer.WriteString(values[i].Key);
            buffer.WriteString(values[i].Value);
        }
    }

    /// <summary>A parsed diagnostic_msgs/DiagnosticStatus.</summary>
    public sealed record DiagnosticStatusMessage(DiagnosticLevel Level, string Name, string Message, string HardwareId,
        IReadOnlyList<KeyValuePair<string, string>> Values);

    public static DiagnosticStatusMessage ReadDiagnosticStatus(ReadOnlySpan<byte> message)
    {
        var reader = new RosMessageReader(message);
        var level = (DiagnosticLevel)reader.ReadUInt8();
        string name = reader.ReadString();
        string text = reader.ReadString();
        string hardware = reader.ReadString();
        uint count = reader.ReadUInt32();
        if (count > (uint)reader.Remaining / 8)
        {
            throw new FormatException($"DiagnosticStatus claims {count} values but only {reader.Remaining} bytes remain");
        }
        var values = new KeyValuePair<string, string>[count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = new(reader.ReadString(), reader.ReadString());
        }
        return new DiagnosticStatusMessage(level, name, text, hardware, values);
    }
}
