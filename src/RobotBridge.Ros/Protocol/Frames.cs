using System.Formats.Cbor;
using System.Text.Json;
using RobotBridge.Ros.Messages;
using RobotBridge.Ros.Serialization;

namespace RobotBridge.Ros.Protocol;

/// <summary>Builds outgoing rosbridge messages into pooled frames.</summary>
public static class Frames
{
    private static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = false };

    /// <summary>A JSON text frame written by <paramref name="write"/> (which writes the whole object).</summary>
    public static PooledFrame Json<TState>(TState state, Action<Utf8JsonWriter, TState> write)
    {
        var frame = new PooledFrame(isText: true);
        using var json = new Utf8JsonWriter(frame, WriterOptions);
        write(json, state);
        json.Flush();
        return frame;
    }

    /// <summary>The encoded body of <paramref name="message"/> alone (the value of <c>msg</c>/<c>args</c>/<c>values</c>).</summary>
    public static PooledFrame JsonBody(IRosMessage message, RosDialect dialect)
    {
        var frame = new PooledFrame(isText: true);
        using var json = new Utf8JsonWriter(frame, WriterOptions);
        message.Write(new JsonRosWriter(json, dialect));
        json.Flush();
        return frame;
    }

    /// <summary>CBOR encoding of the body of <paramref name="message"/>.</summary>
    public static byte[] CborBody(IRosMessage message, RosDialect dialect, CborWriter? reuse = null)
    {
        var cbor = reuse ?? new CborWriter(CborConformanceMode.Lax, convertIndefiniteLengthEncodings: false);
        cbor.Reset();
        message.Write(new CborRosWriter(cbor, dialect));
        return cbor.Encode();
    }

    /// <summary><c>{"op":"publish","topic":…,"msg":…}</c> around an already-encoded JSON body.</summary>
    public static PooledFrame JsonPublish(string topic, ReadOnlySpan<byte> jsonBody)
    {
        var frame = new PooledFrame(isText: true, jsonBody.Length + topic.Length + 48);
        using var json = new Utf8JsonWriter(frame, new JsonWriterOptions { SkipValidation = true });
        json.WriteStartObject();
        json.WriteString("op"u8, "publish"u8);
        json.WriteString("topic"u8, topic);
        json.WritePropertyName("msg"u8);
        json.WriteRawValue(jsonBody, skipInputValidation: true);
        json.WriteEndObject();
        json.Flush();
        return frame;
    }

    /// <summary>The binary <c>cbor</c> publish map (op, topic, msg) around an already-encoded CBOR body.</summary>
    public static PooledFrame CborPublish(string topic, ReadOnlySpan<byte> cborBody)
    {
        var cbor = new CborWriter(CborConformanceMode.Lax, convertIndefiniteLengthEncodings: false, initialCapacity: cborBody.Length + topic.Length + 32);
        cbor.WriteStartMap(3);
        cbor.WriteTextString("op");
        cbor.WriteTextString("publish");
        cbor.WriteTextString("topic");
        cbor.WriteTextString(topic);
        cbor.WriteTextString("msg");
        cbor.WriteEncodedValue(cborBody);
        cbor.WriteEndMap();
        var frame = new PooledFrame(isText: false, cbor.BytesWritten);
        int n = cbor.Encode(frame.GetSpan(cbor.BytesWritten));
        frame.Advance(n);
        return frame;
    }

    /// <summary>Writes a status op (our server sends them; real rosbridge never does).</summary>
    public static PooledFrame Status(string level, string message, string? id) => Json((level, message, id), static (json, s) =>
    {
        json.WriteStartObject();
        json.WriteString("op"u8, "status"u8);
        if (s.id is not null)
        {
            json.WriteString("id"u8, s.id);
        }
        json.WriteString("level"u8, s.level);
        json.WriteString("msg"u8, s.message);
        json.WriteEndObject();
    });
}
