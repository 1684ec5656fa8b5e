using System.Formats.Cbor;
using System.Text;
using System.Text.Json;
using RobotBridge.Ros.Messages;
using RobotBridge.Ros.Serialization;

namespace RobotBridge.Ros.Protocol;

/// <summary>
/// One parsed rosbridge message (text JSON or binary CBOR): its <c>op</c>, scalar envelope fields
/// and access to nested bodies (<c>msg</c>, <c>args</c>, <c>values</c>) as a <see cref="RosReader"/>.
/// Parsing failures are <see cref="RosbridgeFormatException"/> with the reason; never anything else.
/// </summary>
public sealed class IncomingMessage : IDisposable
{
    private readonly JsonDocument? _json;
    private readonly Dictionary<string, object?>? _cborFields;
    private readonly Dictionary<string, ReadOnlyMemory<byte>>? _cborBodies;

    private IncomingMessage(JsonDocument json, string op)
    {
        _json = json;
        Op = op;
    }

    private IncomingMessage(Dictionary<string, object?> fields, Dictionary<string, ReadOnlyMemory<byte>> bodies, string op)
    {
        _cborFields = fields;
        _cborBodies = bodies;
        Op = op;
    }

    public string Op { get; }

    public bool IsCbor => _json is null;

    public JsonElement Root => _json?.RootElement ?? throw new InvalidOperationException("CBOR message has no JSON root");

    /// <summary>Parses a text frame. Bare NaN/Infinity tokens (rosbridge 2 fixed-size float arrays) are tolerated.</summary>
    public static IncomingMessage ParseJson(ReadOnlyMemory<byte> utf8)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException first)
        {
            var sanitized = NonFiniteTokens.Quote(utf8.Span);
            if (sanitized is null)
            {
                throw new RosbridgeFormatException($"frame is not valid JSON: {first.Message}", first);
            }
            try
            {
                doc = JsonDocument.Parse(sanitized);
            }
            catch (JsonException)
            {
                throw new RosbridgeFormatException($"frame is not valid JSON: {first.Message}", first);
            }
        }
        var root = doc.RootElement;
        var kind = root.ValueKind;
        if (kind != JsonValueKind.Object)
        {
            doc.Dispose();
            throw new RosbridgeFormatException($"frame must be a JSON object, got {kind}");
        }
        string? opName = null;
        try
        {
            if (root.TryGetProperty("op"u8, out var op) && op.ValueKind == JsonValueKind.String)
            {
                opName = op.GetString();
            }
        }
        catch (InvalidOperationException e)
        {
            doc.Dispose();
            throw new RosbridgeFormatException($"frame 'op' is not valid UTF-8: {e.Message}", e);
        }
        if (opName is null)
        {
            doc.Dispose();
            throw new RosbridgeFormatException("frame has no string 'op' field");
        }
        return new IncomingMessage(doc, opName);
    }

    /// <summary>Parses a binary CBOR frame: a map with text keys (order not assumed).</summary>
    public static IncomingMessage ParseCbor(ReadOnlyMemory<byte> bytes)
    {
        var fields = new Dictionary<string, object?>(StringComparer.Ordinal);
        var bodies = new Dictionary<string, ReadOnlyMemory<byte>>(StringComparer.Ordinal);
        try
        {
            var reader = new CborReader(bytes, CborConformanceMode.Lax);
            if (reader.PeekState() != CborReaderState.StartMap)
            {
                throw new RosbridgeFormatException($"CBOR frame must be a map, got {reader.PeekState()}");
            }
            reader.ReadStartMap();
            while (reader.PeekState() != CborReaderState.EndMap)
            {
                if (reader.PeekState() != CborReaderState.TextString)
                {
                    throw new RosbridgeFormatException($"CBOR frame key must be text, got {reader.PeekState()}");
                }
                string key = reader.ReadTextString();
                int start = bytes.Length - reader.BytesRemaining;
                switch (reader.PeekState())
                {
                    case CborReaderState.TextString:
                        fields[key] = reader.ReadTextString();
                        break;
                    case CborReaderState.UnsignedInteger:
                    case CborReaderState.NegativeInteger:
                        fields[key] = reader.ReadInt64();
                        break;
                    case CborReaderState.Boolean:
                        fields[key] = reader.ReadBoolean();
                        break;
                    default:
                        reader.SkipValue();
                        bodies[key] = bytes[start..(bytes.Length - reader.BytesRemaining)];
                        break;
                }
            }
            reader.ReadEndMap();
        }
        catch (Exception e) when (e is CborContentException or InvalidOperationException or FormatException or DecoderFallbackException)
        {
            throw new RosbridgeFormatException($"frame is not valid CBOR: {e.Message}", e);
        }
        return fields.TryGetValue("op", out var op) && op is string opName
            ? new IncomingMessage(fields, bodies, opName)
            : throw new RosbridgeFormatException("CBOR frame has no text 'op' field");
    }

    public string? GetString(string name)
    {
        if (_json is not null)
        {
            try
            {
                return _json.RootElement.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
            }
            catch (InvalidOperationException ex)
            {
                throw new RosbridgeFormatException($"{Op}: field '{name}' is not valid UTF-8", ex);
            }
        }
        return _cborFields!.TryGetValue(name, out var v) ? v as string : null;
    }

    /// <summary>The field as text whatever its JSON type (ids may be strings or numbers).</summary>
    public string? GetIdText(string name = "id")
    {
        if (_json is null)
        {
            return _cborFields!.TryGetValue(name, out var v) ? v?.ToString() : null;
        }
        if (!_json.RootElement.TryGetProperty(name, out var e))
        {
            return null;
        }
        return e.ValueKind switch
        {
            JsonValueKind.String => e.GetString(),
            JsonValueKind.Number => e.GetRawText(),
            _ => null,
        };
    }

    /// <summary>Integer field; throws naming the field when present with another type.</summary>
    public long? GetInt(string name)
    {
        if (_json is null)
        {
            return _cborFields!.TryGetValue(name, out var v) && v is long l ? l : null;
        }
        if (!_json.RootElement.TryGetProperty(name, out var e) || e.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out long value))
        {
            return value;
        }
        if (e.ValueKind == JsonValueKind.Number && e.TryGetDouble(out double d) && double.IsFinite(d))
        {
            // rosbridge emits fragment totals as floats; callers that accept them floor.
            return (long)Math.Floor(d);
        }
        throw new RosbridgeFormatException($"{Op}: field '{name}' must be an integer, got {e.ValueKind}");
    }

    public bool? GetBool(string name)
    {
        if (_json is null)
        {
            return _cborFields!.TryGetValue(name, out var v) && v is bool b ? b : null;
        }
        if (!_json.RootElement.TryGetProperty(name, out var e))
        {
            return null;
        }
        return e.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Null => null,
            _ => throw new RosbridgeFormatException($"{Op}: field '{name}' must be a bool, got {e.ValueKind}"),
        };
    }

    public bool Has(string name) =>
        _json is not null ? _json.RootElement.TryGetProperty(name, out _) : _cborFields!.ContainsKey(name) || _cborBodies!.ContainsKey(name);

    /// <summary>Required string field.</summary>
    public string Require(string name) =>
        GetString(name) ?? throw new RosbridgeFormatException($"{Op}: expected a string field '{name}' but none was found");

    /// <summary>JSON element of a nested body, or null (JSON frames only).</summary>
    public JsonElement? GetElement(string name) =>
        _json is not null && _json.RootElement.TryGetProperty(name, out var e) ? e : null;

    /// <summary>A reader over a nested body such as <c>msg</c> or <c>values</c>, or null when absent.</summary>
    public RosReader? BodyReader(string name, bool strict = false)
    {
        if (_json is not null)
        {
            return _json.RootElement.TryGetProperty(name, out var e) ? new JsonRosReader(e) { Strict = strict } : null;
        }
        return _cborBodies!.TryGetValue(name, out var body)
            ? new CborRosReader(new CborReader(body, CborConformanceMode.Lax)) { Strict = strict }
            : null;
    }

    /// <summary>Decodes a nested body into <paramref name="message"/>, wrapping every decoder fault in a
    /// <see cref="RosbridgeFormatException"/> that names the op, the body and the message type.</summary>
    public bool TryReadBody(string name, IRosMessage message, bool strict = false)
    {
        var reader = BodyReader(name, strict);
        if (reader is null)
        {
            return false;
        }
        Decode.Run(reader, message.Read, $"{Op} '{name}' as {message.RosType}");
        return true;
    }

    public void Dispose() => _json?.Dispose();
}
