using System.Buffers;
using System.Buffers.Text;
using System.Numerics;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace RobotBridge.Ros.Serialization;

/// <summary>
/// Reads a rosbridge JSON message body straight from its UTF-8 bytes with a <see cref="JsonCursor"/>:
/// no DOM, no tokens, no strings for field names; doubles parsed from their digits (exactly, with the
/// runtime's parser as the fallback); uint8[] base64 decoded into the pooled target; string arrays
/// (JointState.name) compared against the previous message's strings as UTF-8, so a steady stream of
/// names allocates nothing. Decodes the same as <see cref="JsonRosReader"/> (NaN/Infinity literals,
/// null for NaN) and rejects what <see cref="Utf8JsonReader"/> rejects. One instance is reused across
/// messages by a single thread.
/// </summary>
public sealed class JsonStreamRosReader : RosReader
{
    private JsonCursor _cursor;
    /// <summary>Per open container: true until its first field/element was read.</summary>
    private readonly bool[] _first = new bool[JsonCursor.MaxDepth + 2];
    private int _depth;
    private byte[] _unescapedName = new byte[64];
    /// <summary>The UTF-8 bytes of the strings <see cref="ReadStringArray"/> handed out last, by index, and
    /// whether they need no escape in JSON (no quote, backslash or control character).</summary>
    private (string Text, byte[] Utf8, bool Plain)[] _names = [];

    /// <summary>Points the reader at one JSON value (a message body) and rewinds it. The body sits at
    /// nesting <paramref name="depth"/> of its frame (1 for a publish's msg), for the depth limit.</summary>
    public void Reset(ReadOnlyMemory<byte> body, int depth = 1)
    {
        _cursor = new JsonCursor(body);
        _depth = depth;
    }

    /// <summary>Fails unless only whitespace follows what was read (a body taken to the end of its
    /// frame must be exactly one value).</summary>
    public void ExpectEnd()
    {
        _cursor.SkipWhitespace();
        if (!_cursor.AtEnd)
        {
            throw JsonCursor.Invalid("bytes after the message body", _cursor.Position);
        }
    }

    private void Open()
    {
        if (_depth + 1 > JsonCursor.MaxDepth)
        {
            throw JsonCursor.Invalid($"nested deeper than {JsonCursor.MaxDepth}", _cursor.Position);
        }
        _first[++_depth] = true;
    }

    public override void BeginMessage()
    {
        if (_cursor.Peek() != (byte)'{')
        {
            throw Mismatch("an object", Kind());
        }
        _cursor.Position++;
        Open();
    }

    protected override bool MoveToField(out ReadOnlySpan<byte> name)
    {
        if (_cursor.TryConsume((byte)'}'))
        {
            _depth--;
            name = default;
            return false;
        }
        if (!_first[_depth])
        {
            _cursor.Expect((byte)',');
        }
        _first[_depth] = false;
        var raw = _cursor.ReadRawString(out bool escaped, out int tokenStart);
        if (escaped)
        {
            var reader = _cursor.StringReader(tokenStart, _cursor.Position);
            if (_unescapedName.Length < raw.Length)
            {
                _unescapedName = new byte[raw.Length];
            }
            name = _unescapedName.AsSpan(0, reader.CopyString(_unescapedName));
        }
        else
        {
            name = raw;
        }
        _cursor.Expect((byte)':');
        return true;
    }

    public override void Skip() => _cursor.SkipValue(_depth);

    public override bool ReadBool()
    {
        if (_cursor.TryLiteral("true"u8))
        {
            return true;
        }
        if (_cursor.TryLiteral("false"u8))
        {
            return false;
        }
        throw Mismatch("a bool", Kind());
    }

    public override long ReadInt()
    {
        if (!IsNumberStart(_cursor.Peek()))
        {
            throw Mismatch("an integer", Kind());
        }
        var token = _cursor.ReadNumberToken();
        return Utf8Parser.TryParse(token, out long v, out int used) && used == token.Length
            ? v
            : throw Mismatch("an integer", Number(token));
    }

    public override ulong ReadUInt()
    {
        if (!IsNumberStart(_cursor.Peek()))
        {
            throw Mismatch("an unsigned integer", Kind());
        }
        var token = _cursor.ReadNumberToken();
        return Utf8Parser.TryParse(token, out ulong v, out int used) && used == token.Length
            ? v
            : throw Mismatch("an unsigned integer", Number(token));
    }

    public override double ReadDouble()
    {
        byte c = _cursor.Peek();
        if (IsNumberStart(c))
        {
            return _cursor.ReadDouble();
        }
        if (c == (byte)'n' && _cursor.TryLiteral("null"u8))
        {
            return double.NaN;
        }
        if (c == (byte)'"')
        {
            int start = _cursor.Position;
            var raw = _cursor.ReadRawString(out bool escaped, out _);
            if (escaped)
            {
                var reader = _cursor.StringReader(start, _cursor.Position);
                if (reader.ValueTextEquals("NaN"u8))
                {
                    return double.NaN;
                }
                if (reader.ValueTextEquals("Infinity"u8))
                {
                    return double.PositiveInfinity;
                }
                if (reader.ValueTextEquals("-Infinity"u8))
                {
                    return double.NegativeInfinity;
                }
            }
            else if (raw.SequenceEqual("NaN"u8))
            {
                return double.NaN;
            }
            else if (raw.SequenceEqual("Infinity"u8))
            {
                return double.PositiveInfinity;
            }
            else if (raw.SequenceEqual("-Infinity"u8))
            {
                return double.NegativeInfinity;
            }
            throw Mismatch("a number", JsonValueKind.String);
        }
        throw Mismatch("a number", Kind());
    }

    private static bool IsNumberStart(byte c) => c == (byte)'-' || (c >= (byte)'0' && c <= (byte)'9');

    public override string ReadString(string? reuse = null)
    {
        if (_cursor.Peek() != (byte)'"')
        {
            throw Mismatch("a string", Kind());
        }
        int start = _cursor.Position;
        var raw = _cursor.ReadRawString(out bool escaped, out _);
        if (escaped)
        {
            string text = _cursor.UnescapeString(start, _cursor.Position);
            return reuse is not null && text == reuse ? reuse : text;
        }
        if (!Utf8.IsValid(raw))
        {
            throw Mismatch("a string", "invalid UTF-8");
        }
        if (reuse is not null && Utf8Equals(raw, reuse))
        {
            return reuse;
        }
        return Encoding.UTF8.GetString(raw);
    }

    private static bool Utf8Equals(ReadOnlySpan<byte> utf8, string text)
    {
        if (utf8.Length == text.Length)
        {
            // ASCII fast path: equal lengths match only when every byte equals its char.
            for (int i = 0; i < utf8.Length; i++)
            {
                if (utf8[i] != text[i])
                {
                    return Encoding.UTF8.GetString(utf8) == text;
                }
            }
            return true;
        }
        return Encoding.UTF8.GetByteCount(text) == utf8.Length && Encoding.UTF8.GetString(utf8) == text;
    }

    /// <summary>The whole array in one pass; unchanged names are recognised by their UTF-8 bytes.</summary>
    public override void ReadStringArray(List<string> into)
    {
        if (_cursor.Peek() != (byte)'[')
        {
            throw Mismatch("an array", Kind());
        }
        _cursor.Position++;
        int n = 0;
        if (!_cursor.TryConsume((byte)']'))
        {
            do
            {
                if (_cursor.Peek() != (byte)'"')
                {
                    throw Mismatch("a string", Kind());
                }
                if (n < into.Count)
                {
                    // Usually the same name as in the last message: one compare of its bytes in place.
                    var previous = Previous(n, into[n]);
                    if (!previous.Plain || !_cursor.TryConsumePlainString(previous.Utf8))
                    {
                        int start = _cursor.Position;
                        var raw = _cursor.ReadRawString(out bool escaped, out _);
                        if (escaped || !raw.SequenceEqual(previous.Utf8))
                        {
                            _cursor.Position = start;
                            into[n] = ReadString(into[n]);
                        }
                    }
                }
                else
                {
                    into.Add(ReadString());
                }
                n++;
            }
            while (_cursor.TryConsume((byte)','));
            _cursor.Expect((byte)']');
        }
        if (into.Count > n)
        {
            into.RemoveRange(n, into.Count - n);
        }
    }

    private (string Text, byte[] Utf8, bool Plain) Previous(int index, string previous)
    {
        if (index >= _names.Length)
        {
            Array.Resize(ref _names, Math.Max(index + 1, _names.Length * 2));
        }
        ref var cached = ref _names[index];
        if (!ReferenceEquals(cached.Text, previous))
        {
            var utf8 = Encoding.UTF8.GetBytes(previous);
            cached = (previous, utf8, utf8.AsSpan().IndexOfAny((byte)'"', (byte)'\\') < 0 && utf8.AsSpan().IndexOfAnyInRange((byte)0, (byte)0x1F) < 0);
        }
        return cached;
    }

    public override void ReadBytes(PooledArray<byte> into)
    {
        switch (_cursor.Peek())
        {
            case (byte)'"':
                DecodeBase64(into);
                return;
            case (byte)'[':
                ReadNumbers(into);
                return;
            case (byte)'n' when _cursor.TryLiteral("null"u8):
                into.Clear();
                return;
            default:
                throw Mismatch("base64 text or an array of bytes", Kind());
        }
    }

    private void DecodeBase64(PooledArray<byte> into)
    {
        int start = _cursor.Position;
        var raw = _cursor.ReadRawString(out bool escaped, out _);
        if (escaped)
        {
            // Escaped text (a JSON writer that escapes '/'): take the slow path through the unescaped bytes.
            var reader = _cursor.StringReader(start, _cursor.Position);
            byte[] bytes = reader.TryGetBytesFromBase64(out var decoded) ? decoded : throw Mismatch("base64 text", "invalid base64");
            into.CopyFrom(bytes);
            return;
        }
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
        byte c = _cursor.Peek();
        if (c == (byte)'n' && _cursor.TryLiteral("null"u8))
        {
            into.Clear();
            return;
        }
        if (c != (byte)'[')
        {
            throw Mismatch("an array of numbers", Kind());
        }
        _cursor.Position++;
        if (_depth + 1 > JsonCursor.MaxDepth)
        {
            throw JsonCursor.Invalid($"nested deeper than {JsonCursor.MaxDepth}", _cursor.Position);
        }
        bool floating = typeof(T) == typeof(double) || typeof(T) == typeof(float);
        var span = into.Resize(Math.Max(into.Capacity, 16));
        int i = 0;
        if (!_cursor.TryConsume((byte)']'))
        {
            do
            {
                if (i == span.Length)
                {
                    span = into.Resize(span.Length * 2);
                }
                if (floating)
                {
                    span[i++] = T.CreateTruncating(ReadDouble());
                    continue;
                }
                if (!IsNumberStart(_cursor.Peek()))
                {
                    throw Mismatch($"an integer at index {i}", Kind());
                }
                var token = _cursor.ReadNumberToken();
                if (Utf8Parser.TryParse(token, out long v, out int used) && used == token.Length)
                {
                    span[i++] = T.CreateChecked(v);
                }
                else if (Utf8Parser.TryParse(token, out ulong u, out used) && used == token.Length)
                {
                    span[i++] = T.CreateChecked(u);
                }
                else
                {
                    throw Mismatch($"an integer at index {i}", Number(token));
                }
            }
            while (_cursor.TryConsume((byte)','));
            _cursor.Expect((byte)']');
        }
        into.Resize(i);
    }

    /// <summary>JSON arrays carry no length, so this counts the elements ahead (arrays of messages
    /// are short; the hot arrays go through <see cref="ReadNumbers{T}"/> and <see cref="ReadStringArray"/>).</summary>
    public override int BeginArray()
    {
        if (_cursor.Peek() != (byte)'[')
        {
            throw Mismatch("an array", Kind());
        }
        _cursor.Position++;
        Open();
        var probe = _cursor;
        if (probe.TryConsume((byte)']'))
        {
            return 0;
        }
        int n = 0;
        do
        {
            probe.SkipValue(_depth);
            n++;
        }
        while (probe.TryConsume((byte)','));
        probe.Expect((byte)']');
        return n;
    }

    public override void NextElement()
    {
        if (!_first[_depth])
        {
            _cursor.Expect((byte)',');
        }
        _first[_depth] = false;
    }

    public override void EndArray()
    {
        _cursor.Expect((byte)']');
        _depth--;
    }

    /// <summary>What the next value is, for error messages (does not consume it).</summary>
    private object Kind()
    {
        if (_cursor.AtEnd)
        {
            return "the end of the body";
        }
        return _cursor.Peek() switch
        {
            (byte)'{' => JsonValueKind.Object,
            (byte)'[' => JsonValueKind.Array,
            (byte)'"' => JsonValueKind.String,
            (byte)'t' => JsonValueKind.True,
            (byte)'f' => JsonValueKind.False,
            (byte)'n' => JsonValueKind.Null,
            _ => Number(),
        };
    }

    private string Number()
    {
        var probe = _cursor;
        return Number(probe.ReadNumberToken());
    }

    private static string Number(ReadOnlySpan<byte> token) => $"the number {Encoding.UTF8.GetString(token)}";
}
