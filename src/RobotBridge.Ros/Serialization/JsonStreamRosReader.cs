using System.Buffers;
using System.Buffers.Text;
using System.Numerics;
using System.Text;
using System.Text.Json;

namespace RobotBridge.Ros.Serialization;

/// <summary>
/// Reads a rosbridge JSON message body straight from its UTF-8 bytes with <see cref="Utf8JsonReader"/>:
/// no DOM, no strings for field names, numbers parsed once, uint8[] base64 decoded into the pooled
/// target, and string arrays (JointState.name) compared against the previous message's strings as
/// UTF-8 so a steady stream of names allocates nothing. Decodes the same as <see cref="JsonRosReader"/>
/// (including the NaN/Infinity literals and null for NaN); one instance is reused across messages
/// by a single thread.
/// </summary>
/// <remarks>
/// <see cref="Utf8JsonReader"/> is a ref struct and cannot live in this class, so each call rebuilds
/// one from the saved position and <see cref="JsonReaderState"/>; that costs a struct copy, which is
/// why the array reads (numbers, strings) each run in one call.
/// </remarks>
public sealed class JsonStreamRosReader : RosReader
{
    private static readonly JsonReaderOptions Options = new() { MaxDepth = 64 };

    private ReadOnlyMemory<byte> _data;
    private int _offset;
    private JsonReaderState _state;
    private byte[] _unescapedName = new byte[64];
    /// <summary>The UTF-8 bytes of the strings <see cref="ReadStringArray"/> handed out last, by index.</summary>
    private (string Text, byte[] Utf8)[] _names = [];

    /// <summary>Points the reader at one JSON value (a message body) and rewinds it.</summary>
    public void Reset(ReadOnlyMemory<byte> body)
    {
        _data = body;
        _offset = 0;
        _state = new JsonReaderState(Options);
    }

    private Utf8JsonReader Open() => new(_data.Span[_offset..], isFinalBlock: true, _state);

    private void Save(ref Utf8JsonReader reader)
    {
        _offset += (int)reader.BytesConsumed;
        _state = reader.CurrentState;
    }

    private static void Next(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            throw new Protocol.RosbridgeFormatException("JSON body ended early");
        }
    }

    public override void BeginMessage()
    {
        var reader = Open();
        Next(ref reader);
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw Mismatch("an object", Kind(ref reader));
        }
        Save(ref reader);
    }

    protected override bool MoveToField(out ReadOnlySpan<byte> name)
    {
        var reader = Open();
        Next(ref reader);
        if (reader.TokenType == JsonTokenType.EndObject)
        {
            Save(ref reader);
            name = default;
            return false;
        }
        // Only a property name can follow inside an object; the reader validated that.
        if (reader.ValueIsEscaped)
        {
            int length = reader.ValueSpan.Length;
            if (_unescapedName.Length < length)
            {
                _unescapedName = new byte[length];
            }
            int written = reader.CopyString(_unescapedName);
            name = _unescapedName.AsSpan(0, written);
        }
        else
        {
            name = reader.ValueSpan;
        }
        Save(ref reader);
        return true;
    }

    public override void Skip()
    {
        var reader = Open();
        Next(ref reader);
        reader.Skip();
        Save(ref reader);
    }

    public override bool ReadBool()
    {
        var reader = Open();
        Next(ref reader);
        bool value = reader.TokenType switch
        {
            JsonTokenType.True => true,
            JsonTokenType.False => false,
            _ => throw Mismatch("a bool", Kind(ref reader)),
        };
        Save(ref reader);
        return value;
    }

    public override long ReadInt()
    {
        var reader = Open();
        Next(ref reader);
        long value = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long v)
            ? v
            : throw Mismatch("an integer", Describe(ref reader));
        Save(ref reader);
        return value;
    }

    public override ulong ReadUInt()
    {
        var reader = Open();
        Next(ref reader);
        ulong value = reader.TokenType == JsonTokenType.Number && reader.TryGetUInt64(out ulong v)
            ? v
            : throw Mismatch("an unsigned integer", Describe(ref reader));
        Save(ref reader);
        return value;
    }

    public override double ReadDouble()
    {
        var reader = Open();
        Next(ref reader);
        double value = ToDouble(ref reader);
        Save(ref reader);
        return value;
    }

    private double ToDouble(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                // Out of double's range: JsonElement.TryGetDouble fails the same way; keep the sign.
                return reader.TryGetDouble(out double d) ? d : (reader.ValueSpan[0] == (byte)'-' ? double.NegativeInfinity : double.PositiveInfinity);
            case JsonTokenType.Null:
                return double.NaN;
            case JsonTokenType.String when reader.ValueTextEquals("NaN"u8):
                return double.NaN;
            case JsonTokenType.String when reader.ValueTextEquals("Infinity"u8):
                return double.PositiveInfinity;
            case JsonTokenType.String when reader.ValueTextEquals("-Infinity"u8):
                return double.NegativeInfinity;
            default:
                throw Mismatch("a number", Describe(ref reader));
        }
    }

    public override string ReadString(string? reuse = null)
    {
        var reader = Open();
        Next(ref reader);
        string value = StringValue(ref reader, reuse);
        Save(ref reader);
        return value;
    }

    private string StringValue(ref Utf8JsonReader reader, string? reuse)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw Mismatch("a string", Kind(ref reader));
        }
        return reuse is not null && reader.ValueTextEquals(reuse) ? reuse : reader.GetString()!;
    }

    /// <summary>The whole array in one pass; unchanged names are recognised by their UTF-8 bytes.</summary>
    public override void ReadStringArray(List<string> into)
    {
        var reader = Open();
        Next(ref reader);
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw Mismatch("an array", Kind(ref reader));
        }
        int n = 0;
        while (true)
        {
            Next(ref reader);
            if (reader.TokenType == JsonTokenType.EndArray)
            {
                break;
            }
            if (n < into.Count && reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && SameAsBefore(n, into[n], reader.ValueSpan))
            {
                n++;
                continue;
            }
            string value = StringValue(ref reader, n < into.Count ? into[n] : null);
            if (n < into.Count)
            {
                into[n] = value;
            }
            else
            {
                into.Add(value);
            }
            n++;
        }
        if (into.Count > n)
        {
            into.RemoveRange(n, into.Count - n);
        }
        Save(ref reader);
    }

    private bool SameAsBefore(int index, string previous, ReadOnlySpan<byte> utf8)
    {
        if (index >= _names.Length)
        {
            Array.Resize(ref _names, Math.Max(index + 1, _names.Length * 2));
        }
        ref var cached = ref _names[index];
        if (!ReferenceEquals(cached.Text, previous))
        {
            cached = (previous, Encoding.UTF8.GetBytes(previous));
        }
        return utf8.SequenceEqual(cached.Utf8);
    }

    public override void ReadBytes(PooledArray<byte> into)
    {
        var reader = Open();
        Next(ref reader);
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                DecodeBase64(ref reader, into);
                Save(ref reader);
                return;
            case JsonTokenType.StartArray:
                ReadNumberElements(ref reader, into);
                Save(ref reader);
                return;
            case JsonTokenType.Null:
                into.Clear();
                Save(ref reader);
                return;
            default:
                throw Mismatch("base64 text or an array of bytes", Kind(ref reader));
        }
    }

    private void DecodeBase64(ref Utf8JsonReader reader, PooledArray<byte> into)
    {
        if (reader.ValueIsEscaped)
        {
            // Escaped text (a JSON writer that escapes '/'): take the slow path through the unescaped bytes.
            byte[] bytes = reader.TryGetBytesFromBase64(out var decoded) ? decoded : throw Mismatch("base64 text", "invalid base64");
            into.CopyFrom(bytes);
            return;
        }
        var raw = reader.ValueSpan;
        var target = into.Resize(Base64.GetMaxDecodedFromUtf8Length(raw.Length));
        var status = Base64.DecodeFromUtf8(raw, target, out _, out int written);
        if (status != OperationStatus.Done)
        {
            throw Mismatch("base64 text", $"invalid base64 ({status})");
        }
        into.Resize(written);
    }

    public override void ReadNumbers<T>(PooledArray<T> into)
    {
        var reader = Open();
        Next(ref reader);
        if (reader.TokenType == JsonTokenType.Null)
        {
            into.Clear();
        }
        else if (reader.TokenType == JsonTokenType.StartArray)
        {
            ReadNumberElements(ref reader, into);
        }
        else
        {
            throw Mismatch("an array of numbers", Kind(ref reader));
        }
        Save(ref reader);
    }

    private void ReadNumberElements<T>(ref Utf8JsonReader reader, PooledArray<T> into) where T : unmanaged, INumber<T>
    {
        bool floating = typeof(T) == typeof(double) || typeof(T) == typeof(float);
        var span = into.Resize(Math.Max(into.Capacity, 16));
        int i = 0;
        while (true)
        {
            Next(ref reader);
            if (reader.TokenType == JsonTokenType.EndArray)
            {
                break;
            }
            if (i == span.Length)
            {
                span = into.Resize(span.Length * 2);
            }
            if (floating)
            {
                span[i++] = T.CreateTruncating(ToDouble(ref reader));
            }
            else if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long v))
            {
                span[i++] = T.CreateChecked(v);
            }
            else if (reader.TokenType == JsonTokenType.Number && reader.TryGetUInt64(out ulong u))
            {
                span[i++] = T.CreateChecked(u);
            }
            else
            {
                throw Mismatch($"an integer at index {i}", Describe(ref reader));
            }
        }
        into.Resize(i);
    }

    /// <summary>JSON arrays carry no length, so this counts the elements ahead (arrays of messages
    /// are short; the hot arrays go through <see cref="ReadNumbers{T}"/> and <see cref="ReadStringArray"/>).</summary>
    public override int BeginArray()
    {
        var reader = Open();
        Next(ref reader);
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw Mismatch("an array", Kind(ref reader));
        }
        Save(ref reader);
        var probe = reader;
        int n = 0;
        while (true)
        {
            Next(ref probe);
            if (probe.TokenType == JsonTokenType.EndArray)
            {
                return n;
            }
            probe.Skip();
            n++;
        }
    }

    public override void NextElement()
    {
    }

    public override void EndArray()
    {
        var reader = Open();
        Next(ref reader);
        if (reader.TokenType != JsonTokenType.EndArray)
        {
            throw new Protocol.RosbridgeFormatException($"field '{LastField}': array has more elements than were read");
        }
        Save(ref reader);
    }

    private static object Kind(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.StartObject => JsonValueKind.Object,
        JsonTokenType.StartArray => JsonValueKind.Array,
        JsonTokenType.String => JsonValueKind.String,
        JsonTokenType.Number => JsonValueKind.Number,
        JsonTokenType.True => JsonValueKind.True,
        JsonTokenType.False => JsonValueKind.False,
        JsonTokenType.Null => JsonValueKind.Null,
        var other => other,
    };

    private static object Describe(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.Number ? $"the number {Encoding.UTF8.GetString(reader.ValueSpan)}" : Kind(ref reader);
}
