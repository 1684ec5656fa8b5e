using System.Text;
using System.Text.Json;
using RobotBridge.Ros.Messages;
using RobotBridge.Ros.Protocol;

namespace RobotBridge.Ros.Server;

/// <summary>
/// One message on its way to many subscribers, encoded at most once per encoding: the JSON body
/// always, the CBOR body only when a cbor subscriber exists.
/// </summary>
internal sealed class EncodedMessage
{
    private readonly IRosMessage? _typed;
    private readonly JsonElement _json;
    private readonly RosDialect _dialect;
    private byte[]? _jsonBody;
    private byte[]? _cborBody;

    public EncodedMessage(IRosMessage typed, RosDialect dialect)
    {
        _typed = typed;
        _dialect = dialect;
    }

    /// <summary>A body relayed from a client (valid only while its frame is alive).</summary>
    public EncodedMessage(JsonElement json, RosDialect dialect)
    {
        _json = json;
        _dialect = dialect;
    }

    public byte[] JsonBody()
    {
        if (_jsonBody is null)
        {
            if (_typed is not null)
            {
                using var body = Frames.JsonBody(_typed, _dialect);
                _jsonBody = body.Memory.ToArray();
            }
            else
            {
                _jsonBody = Encoding.UTF8.GetBytes(_json.GetRawText());
            }
        }
        return _jsonBody;
    }

    public byte[] CborBody() =>
        _cborBody ??= _typed is not null ? Frames.CborBody(_typed, _dialect) : JsonToCbor.Convert(_json);

    /// <summary>The publish frame for one subscriber in its encoding, echoing its topic string.</summary>
    public PooledFrame FrameFor(string clientTopic, Compression compression)
    {
        switch (compression)
        {
            case Compression.Cbor:
            case Compression.CborRaw:
                return Frames.CborPublish(clientTopic, CborBody());
            case Compression.Png:
                {
                    using var text = Frames.JsonPublish(clientTopic, JsonBody());
                    string data = Convert.ToBase64String(PngPacking.Pack(text.Memory.Span));
                    return Frames.Json(data, static (json, d) =>
                    {
                        json.WriteStartObject();
                        json.WriteString("op"u8, "png"u8);
                        json.WriteString("data"u8, d);
                        json.WriteEndObject();
                    });
                }
            default:
                return Frames.JsonPublish(clientTopic, JsonBody());
        }
    }
}
