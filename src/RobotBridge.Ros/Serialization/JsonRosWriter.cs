using System.Numerics;
using System.Text.Json;
using RobotBridge.Ros.Protocol;

namespace RobotBridge.Ros.Serialization;

/// <summary>Writes message bodies as rosbridge JSON: integral fields as bare integers (rosbridge
/// rejects <c>1.0</c> for an int field), uint8[] as base64, non-finite floats as <c>null</c>.</summary>
public sealed class JsonRosWriter : RosWriter
{
    private readonly Utf8JsonWriter _json;

    public JsonRosWriter(Utf8JsonWriter json, RosDialect dialect) : base(dialect) => _json = json;

    public override void BeginMessage(int fieldCount) => _json.WriteStartObject();
    public override void EndMessage() => _json.WriteEndObject();
    public override void Field(string name) => _json.WritePropertyName(name);
    public override void Bool(bool value) => _json.WriteBooleanValue(value);
    public override void Int(long value) => _json.WriteNumberValue(value);
    public override void UInt(ulong value) => _json.WriteNumberValue(value);

    public override void Double(double value)
    {
        if (double.IsFinite(value))
        {
            _json.WriteNumberValue(value);
        }
        else
        {
            _json.WriteNullValue();
        }
    }

    public override void String(string value) => _json.WriteStringValue(value);
    public override void Bytes(ReadOnlySpan<byte> value) => _json.WriteBase64StringValue(value);

    public override void Numbers<T>(ReadOnlySpan<T> values)
    {
        _json.WriteStartArray();
        bool floating = typeof(T) == typeof(double) || typeof(T) == typeof(float);
        foreach (var v in values)
        {
            if (floating)
            {
                Double(double.CreateTruncating(v));
            }
            else if (typeof(T) == typeof(ulong))
            {
                _json.WriteNumberValue(ulong.CreateTruncating(v));
            }
            else
            {
                _json.WriteNumberValue(long.CreateTruncating(v));
            }
        }
        _json.WriteEndArray();
    }

    public override void StringArray(IReadOnlyList<string> values)
    {
        _json.WriteStartArray();
        for (int i = 0; i < values.Count; i++)
        {
            _json.WriteStringValue(values[i]);
        }
        _json.WriteEndArray();
    }

    public override void BeginArray(int count) => _json.WriteStartArray();
    public override void EndArray() => _json.WriteEndArray();
}
