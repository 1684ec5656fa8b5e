using System.Formats.Cbor;
using System.Text.Json;

namespace RobotBridge.Ros.Server;

/// <summary>Re-encodes a JSON message body as CBOR for a cbor subscriber of a topic published by a
/// JSON client. Without the message definition, arrays stay plain CBOR arrays (no typed-array tags).</summary>
internal static class JsonToCbor
{
    public static byte[] Convert(JsonElement body)
    {
        var cbor = new CborWriter(CborConformanceMode.Lax);
        Write(cbor, body);
        return cbor.Encode();
    }

    private static void Write(CborWriter cbor, JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                cbor.WriteStartMap(null);
                foreach (var p in e.EnumerateObject())
                {
                    cbor.WriteTextString(p.Name);
                    Write(cbor, p.Value);
                }
                cbor.WriteEndMap();
                break;
            case JsonValueKind.Array:
                cbor.WriteStartArray(e.GetArrayLength());
                foreach (var item in e.EnumerateArray())
                {
                    Write(cbor, item);
                }
                cbor.WriteEndArray();
                break;
            case JsonValueKind.String:
                cbor.WriteTextString(e.GetString()!);
                break;
            case JsonValueKind.Number when e.TryGetInt64(out long l):
                cbor.WriteInt64(l);
                break;
            case JsonValueKind.Number when e.TryGetUInt64(out ulong u):
                cbor.WriteUInt64(u);
                break;
            case JsonValueKind.Number:
                cbor.WriteDouble(e.GetDouble());
                break;
            case JsonValueKind.True:
                cbor.WriteBoolean(true);
                break;
            case JsonValueKind.False:
                cbor.WriteBoolean(false);
                break;
            default:
                cbor.WriteNull();
                break;
        }
    }
}
