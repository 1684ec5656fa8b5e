using System.Formats.Cbor;
using System.Text.Json;

namespace RobotBridge.Ros.Protocol;

/// <summary>
/// The parts of a rosbridge <c>publish</c> frame a subscriber needs (the topic's UTF-8 bytes and the
/// <c>msg</c> value's bytes), found in one pass over the frame without a DOM or any strings. This is
/// the client's hot path; a frame it does not recognise (another op, escaped topic, bare NaN tokens,
/// invalid JSON/CBOR, a missing field) is left to <see cref="IncomingMessage"/>, which handles every
/// case and reports the fault.
/// </summary>
public readonly struct PublishEnvelope
{
    private static readonly JsonReaderOptions JsonOptions = new() { MaxDepth = 64 };

    private PublishEnvelope(ReadOnlyMemory<byte> topic, ReadOnlyMemory<byte> msg, bool isCbor)
    {
        Topic = topic;
        Msg = msg;
        IsCbor = isCbor;
    }

    /// <summary>The topic name as UTF-8 (no escapes).</summary>
    public ReadOnlyMemory<byte> Topic { get; }

    /// <summary>The encoded message body: one JSON value or one CBOR data item.</summary>
    public ReadOnlyMemory<byte> Msg { get; }

    public bool IsCbor { get; }

    /// <summary>True when <paramref name="frame"/> is a well-formed JSON publish frame with an
    /// unescaped string topic and a msg value (field order does not matter; other fields are skipped).</summary>
    public static bool TryScanJson(ReadOnlyMemory<byte> frame, out PublishEnvelope envelope)
    {
        envelope = default;
        var reader = new Utf8JsonReader(frame.Span, JsonOptions);
        bool publish = false;
        ReadOnlyMemory<byte> topic = default, msg = default;
        bool hasTopic = false, hasMsg = false;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                // Escaped names or duplicate keys are rare enough for the general path.
                if (reader.ValueIsEscaped)
                {
                    return false;
                }
                if (reader.ValueTextEquals("op"u8))
                {
                    reader.Read();
                    if (publish || reader.TokenType != JsonTokenType.String || !reader.ValueTextEquals("publish"u8))
                    {
                        return false;
                    }
                    publish = true;
                }
                else if (reader.ValueTextEquals("topic"u8))
                {
                    reader.Read();
                    if (hasTopic || reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped)
                    {
                        return false;
                    }
                    topic = frame.Slice((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length);
                    hasTopic = true;
                }
                else if (reader.ValueTextEquals("msg"u8))
                {
                    reader.Read();
                    if (hasMsg)
                    {
                        return false;
                    }
                    int start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    msg = frame[start..(int)reader.BytesConsumed];
                    hasMsg = true;
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                return false;
            }
        }
        catch (JsonException)
        {
            return false;
        }
        if (!publish || !hasTopic || !hasMsg)
        {
            return false;
        }
        envelope = new PublishEnvelope(topic, msg, isCbor: false);
        return true;
    }

    /// <summary>True when <paramref name="frame"/> is a well-formed CBOR publish map with a definite-length
    /// text topic and a msg item. <paramref name="reader"/> is reset and reused (no allocation per frame).</summary>
    public static bool TryScanCbor(ReadOnlyMemory<byte> frame, CborReader reader, out PublishEnvelope envelope)
    {
        envelope = default;
        bool publish = false;
        ReadOnlyMemory<byte> topic = default, msg = default;
        bool hasTopic = false, hasMsg = false;
        try
        {
            reader.Reset(frame);
            if (reader.PeekState() != CborReaderState.StartMap)
            {
                return false;
            }
            reader.ReadStartMap();
            while (reader.PeekState() != CborReaderState.EndMap)
            {
                if (reader.PeekState() != CborReaderState.TextString)
                {
                    return false;
                }
                var key = reader.ReadDefiniteLengthTextStringBytes().Span;
                if (key.SequenceEqual("op"u8))
                {
                    if (publish || reader.PeekState() != CborReaderState.TextString || !reader.ReadDefiniteLengthTextStringBytes().Span.SequenceEqual("publish"u8))
                    {
                        return false;
                    }
                    publish = true;
                }
                else if (key.SequenceEqual("topic"u8))
                {
                    if (hasTopic || reader.PeekState() != CborReaderState.TextString)
                    {
                        return false;
                    }
                    topic = reader.ReadDefiniteLengthTextStringBytes();
                    hasTopic = true;
                }
                else if (key.SequenceEqual("msg"u8))
                {
                    if (hasMsg)
                    {
                        return false;
                    }
                    int start = frame.Length - reader.BytesRemaining;
                    reader.SkipValue();
                    msg = frame[start..(frame.Length - reader.BytesRemaining)];
                    hasMsg = true;
                }
                else
                {
                    reader.SkipValue();
                }
            }
            reader.ReadEndMap();
            if (reader.BytesRemaining != 0)
            {
                return false;
            }
        }
        catch (Exception e) when (e is CborContentException or InvalidOperationException or FormatException)
        {
            return false;
        }
        if (!publish || !hasTopic || !hasMsg)
        {
            return false;
        }
        envelope = new PublishEnvelope(topic, msg, isCbor: true);
        return true;
    }
}
