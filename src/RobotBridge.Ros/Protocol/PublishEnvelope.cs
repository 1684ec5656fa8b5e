using System.Formats.Cbor;
using System.Text.Json;
using RobotBridge.Ros.Serialization;

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
    private PublishEnvelope(ReadOnlyMemory<byte> topic, ReadOnlyMemory<byte> msg, bool isCbor, bool msgValidated = true)
    {
        Topic = topic;
        Msg = msg;
        IsCbor = isCbor;
        MsgValidated = msgValidated;
    }

    /// <summary>The topic name as UTF-8 (no escapes).</summary>
    public ReadOnlyMemory<byte> Topic { get; }

    /// <summary>The encoded message body: one JSON value or one CBOR data item.</summary>
    public ReadOnlyMemory<byte> Msg { get; }

    public bool IsCbor { get; }

    /// <summary>The frame's own array when the one subscriber decoding it may take a large byte string
    /// over instead of copying it (<see cref="FrameDonation"/>); null otherwise.</summary>
    internal FrameDonation? Donation { get; private init; }

    internal PublishEnvelope WithDonation(FrameDonation? donation) => new(Topic, Msg, IsCbor, MsgValidated) { Donation = donation };

    /// <summary>
    /// False when <see cref="Msg"/> was taken without walking it: a JSON frame whose op and topic came
    /// first (rosbridge's order) has msg as its last field, so msg runs to the frame's closing brace,
    /// and the decoder validates it while it decodes (<see cref="Serialization.BodyDecoder.TryDecode"/>),
    /// one pass instead of two. If msg was not in fact one valid JSON value, decoding declines the frame.
    /// </summary>
    public bool MsgValidated { get; }

    /// <summary>This envelope with <see cref="Msg"/> checked to be exactly one valid JSON value (at
    /// nesting 1); false when it is not (the frame then belongs to the general path).</summary>
    public bool TryValidate(out PublishEnvelope validated)
    {
        validated = this;
        if (MsgValidated)
        {
            return true;
        }
        if (!JsonCursor.IsOneValue(Msg, depth: 1))
        {
            return false;
        }
        validated = new PublishEnvelope(Topic, Msg, isCbor: false);
        return true;
    }

    /// <summary>True when <paramref name="frame"/> is a well-formed JSON publish frame with an
    /// unescaped string topic and a msg value (field order does not matter; other fields are skipped).
    /// The frame is validated as <see cref="Utf8JsonReader"/> would (<see cref="JsonCursor"/>), except
    /// a last msg field, which the decoder validates (<see cref="MsgValidated"/>).</summary>
    public static bool TryScanJson(ReadOnlyMemory<byte> frame, out PublishEnvelope envelope) => TryScanJson(frame, out envelope, walkMsg: false);

    /// <param name="walkMsg">Validate msg here too, wherever it is (for a frame whose unwalked msg
    /// turned out not to be its last field, and for several subscribers).</param>
    public static bool TryScanJson(ReadOnlyMemory<byte> frame, out PublishEnvelope envelope, bool walkMsg)
    {
        envelope = default;
        var cursor = new JsonCursor(frame);
        bool publish = false;
        ReadOnlyMemory<byte> topic = default, msg = default;
        bool hasTopic = false, hasMsg = false;
        try
        {
            if (!cursor.TryConsume((byte)'{') || cursor.TryConsume((byte)'}'))
            {
                return false;
            }
            do
            {
                var key = cursor.ReadRawString(out bool escaped, out _);
                // Escaped names or duplicate keys are rare enough for the general path.
                if (escaped)
                {
                    return false;
                }
                cursor.Expect((byte)':');
                if (key.SequenceEqual("op"u8))
                {
                    if (publish || cursor.Peek() != (byte)'"' || !cursor.ReadRawString(out bool opEscaped, out _).SequenceEqual("publish"u8) || opEscaped)
                    {
                        return false;
                    }
                    publish = true;
                }
                else if (key.SequenceEqual("topic"u8))
                {
                    if (hasTopic || cursor.Peek() != (byte)'"')
                    {
                        return false;
                    }
                    int start = cursor.Position + 1;
                    var name = cursor.ReadRawString(out bool topicEscaped, out _);
                    if (topicEscaped)
                    {
                        return false;
                    }
                    topic = frame.Slice(start, name.Length);
                    hasTopic = true;
                }
                else if (key.SequenceEqual("msg"u8))
                {
                    if (hasMsg)
                    {
                        return false;
                    }
                    cursor.SkipWhitespace();
                    int start = cursor.Position;
                    if (publish && hasTopic && !walkMsg)
                    {
                        // Taken up to the frame's closing brace, unwalked: see MsgValidated.
                        var span = frame.Span;
                        int end = span.Length;
                        while (end > start && IsWhitespace(span[end - 1]))
                        {
                            end--;
                        }
                        if (end <= start + 1 || span[end - 1] != (byte)'}')
                        {
                            return false;
                        }
                        end--;
                        while (end > start && IsWhitespace(span[end - 1]))
                        {
                            end--;
                        }
                        envelope = new PublishEnvelope(topic, frame[start..end], isCbor: false, msgValidated: false);
                        return true;
                    }
                    cursor.SkipValue(1);
                    msg = frame[start..cursor.Position];
                    hasMsg = true;
                }
                else
                {
                    cursor.SkipValue(1);
                }
            }
            while (cursor.TryConsume((byte)','));
            cursor.Expect((byte)'}');
            cursor.SkipWhitespace();
            if (!cursor.AtEnd)
            {
                return false;
            }
        }
        catch (RosbridgeFormatException)
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

    private static bool IsWhitespace(byte c) => c is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t';

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
