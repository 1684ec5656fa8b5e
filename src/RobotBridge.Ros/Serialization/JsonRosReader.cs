using System.Buffers.Text;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace RobotBridge.Ros.Serialization;

/// <summary>Reads a rosbridge JSON message body from a parsed <see cref="JsonElement"/> without
/// building strings for field names; uint8[] base64 is decoded straight into the pooled target.</summary>
public sealed class JsonRosReader : RosReader
{
    private struct Frame
    {
        public bool IsObject;
        public JsonElement.ObjectEnumerator Object;
        public JsonElement.ArrayEnumerator Array;
    }

    private Frame[] _frames = new Frame[16];
    private int _depth;
    private JsonElement _current;

    public JsonRosReader(JsonElement body) => _current = body;

    /// <summary>Points the reader at another body (reuse across messages).</summary>
    public void Reset(JsonElement body)
    {
        _current = body;
        _depth = 0;
    }

    private void Push(in Frame frame)
    {
        if (_depth == _frames.Length)
        {
            Array.Resize(ref _frames, _depth * 2);
        }
        _frames[_depth++] = frame;
    }

    public override void BeginMessage()
    {
        if (_current.ValueKind != JsonValueKind.Object)
        {
            throw Mismatch("an object", _current.ValueKind);
        }
        Push(new Frame { IsObject = true, Object = _current.EnumerateObject() });
    }

    protected override bool MoveToField(out ReadOnlySpan<byte> name)
    {
        ref var top = ref _frames[_depth - 1];
        if (top.Object.MoveNext())
        {
            var property = top.Object.Current;
            name = JsonMarshal.GetRawUtf8PropertyName(property);
            _current = property.Value;
            return true;
        }
        _depth--;
        name = default;
        return false;
    }

    public override void Skip()
    {
    }

    public override bool ReadBool() => _current.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        var kind => throw Mismatch("a bool", kind),
    };

    public override long ReadInt() =>
        _current.ValueKind == JsonValueKind.Number && _current.TryGetInt64(out long v)
            ? v
            : throw Mismatch("an integer", Describe(_current));

    public override ulong ReadUInt() =>
        _current.ValueKind == JsonValueKind.Number && _current.TryGetUInt64(out ulong v)
            ? v
            : throw Mismatch("an unsigned integer", Describe(_current));

    public override double ReadDouble() => ElementToDouble(_current);

    private double ElementToDouble(JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Number:
                return e.TryGetDouble(out double d) ? d : (e.GetRawText().StartsWith('-') ? double.NegativeInfinity : double.PositiveInfinity);
            case JsonValueKind.Null:
                return double.NaN;
            case JsonValueKind.String when e.ValueEquals("NaN"u8):
                return double.NaN;
            case JsonValueKind.String when e.ValueEquals("Infinity"u8):
                return double.PositiveInfinity;
            case JsonValueKind.String when e.ValueEquals("-Infinity"u8):
                return double.NegativeInfinity;
            default:
                throw Mismatch("a number", Describe(e));
        }
    }

    public override string ReadString(string? reuse = null)
    {
        if (_current.ValueKind != JsonValueKind.String)
        {
            throw Mismatch("a string", _current.ValueKind);
        }
        return reuse is not null && _current.ValueEquals(reuse) ? reuse : _current.GetString()!;
    }

    public override void ReadBytes(PooledArray<byte> into)
    {
        switch (_current.ValueKind)
        {
            case JsonValueKind.String:
                DecodeBase64(into);
                return;
            case JsonValueKind.Array:
                ReadNumbers(into);
                return;
            case JsonValueKind.Null:
                into.Clear();
                return;
            default:
                throw Mismatch("base64 text or an array of bytes", _current.ValueKind);
        }
    }

    private void DecodeBase64(PooledArray<byte> into)
    {
        ReadOnlySpan<byte> raw = JsonMarshal.GetRawUtf8Value(_current);
        if (raw.Length >= 2 && raw[0] == (byte)'"')
        {
            raw = raw[1..^1];
        }
        if (raw.IndexOf((byte)'\\') >= 0)
        {
            // Escaped text (a JSON writer that escapes '/'): take the slow path through the unescaped bytes.
            byte[] bytes = _current.TryGetBytesFromBase64(out var decoded) ? decoded : throw Mismatch("base64 text", "invalid base64");
            into.CopyFrom(bytes);
            return;
        }
        var target = into.Resize(Base64.GetMaxDecodedFromUtf8Length(raw.Length));
        var status = Base64.DecodeFromUtf8(raw, target, out _, out int written);
        if (status != System.Buffers.OperationStatus.Done)
        {
            throw Mismatch("base64 text", $"invalid base64 ({status})");
        }
        into.Resize(written);
    }

    public override void ReadNumbers<T>(PooledArray<T> into)
    {
        if (_current.ValueKind == JsonValueKind.Null)
        {
            into.Clear();
            return;
        }
        if (_current.ValueKind != JsonValueKind.Array)
        {
            throw Mismatch("an array of numbers", _current.ValueKind);
        }
        var span = into.Resize(_current.GetArrayLength());
        bool floating = typeof(T) == typeof(double) || typeof(T) == typeof(float);
        int i = 0;
        foreach (var e in _current.EnumerateArray())
        {
            if (floating)
            {
                span[i++] = T.CreateTruncating(ElementToDouble(e));
            }
            else if (e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out long v))
            {
                span[i++] = T.CreateChecked(v);
            }
            else if (e.ValueKind == JsonValueKind.Number && e.TryGetUInt64(out ulong u))
            {
                span[i++] = T.CreateChecked(u);
            }
            else
            {
                throw Mismatch($"an integer at index {i}", Describe(e));
            }
        }
    }

    public override int BeginArray()
    {
        if (_current.ValueKind != JsonValueKind.Array)
        {
            throw Mismatch("an array", _current.ValueKind);
        }
        Push(new Frame { IsObject = false, Array = _current.EnumerateArray() });
        return _current.GetArrayLength();
    }

    public override void NextElement()
    {
        ref var top = ref _frames[_depth - 1];
        if (!top.Array.MoveNext())
        {
            throw new Protocol.RosbridgeFormatException($"field '{LastField}': array ended early");
        }
        _current = top.Array.Current;
    }

    public override void EndArray() => _depth--;

    private static object Describe(JsonElement e) =>
        e.ValueKind == JsonValueKind.Number ? $"the number {e.GetRawText()}" : e.ValueKind;
}
