using System.Formats.Cbor;
using RobotBridge.Ros.Messages;
using RobotBridge.Ros.Protocol;

namespace RobotBridge.Ros.Serialization;

/// <summary>
/// Decodes the msg bytes of a <see cref="PublishEnvelope"/> into a reused message with readers it
/// keeps across messages (one per encoding), so the steady state allocates nothing. One thread at a time.
/// </summary>
public sealed class BodyDecoder(string context)
{
    private readonly JsonStreamRosReader _json = new();
    private readonly CborReader _cborInput = new(ReadOnlyMemory<byte>.Empty, CborConformanceMode.Lax);
    private CborRosReader? _cbor;

    /// <summary>Decodes <paramref name="envelope"/>'s msg into <paramref name="message"/>; faults are
    /// <see cref="RosbridgeFormatException"/> naming this decoder's context and the field.</summary>
    public void Decode(in PublishEnvelope envelope, IRosMessage message)
    {
        RosReader reader;
        if (envelope.IsCbor)
        {
            _cborInput.Reset(envelope.Msg);
            reader = _cbor ??= new CborRosReader(_cborInput);
        }
        else
        {
            _json.Reset(envelope.Msg);
            reader = _json;
        }
        Serialization.Decode.Run(reader, message, context);
    }
}
