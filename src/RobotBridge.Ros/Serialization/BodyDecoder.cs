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
        if (!TryDecode(envelope, message))
        {
            throw new RosbridgeFormatException($"{context}: msg is not one valid JSON value");
        }
    }

    /// <summary>
    /// As <see cref="Decode"/>, but false (declined, <paramref name="message"/> left unspecified) when
    /// the envelope's unwalked msg (<see cref="PublishEnvelope.MsgValidated"/>) turns out not to be one
    /// valid JSON value: such a frame goes to the general path, which reports what is wrong with it.
    /// A valid msg that does not fit the message type still throws, naming the field.
    /// </summary>
    public bool TryDecode(in PublishEnvelope envelope, IRosMessage message)
    {
        if (envelope.IsCbor)
        {
            _cborInput.Reset(envelope.Msg);
            _cbor ??= new CborRosReader(_cborInput);
            _cbor.Donation = envelope.Donation;
            try
            {
                Serialization.Decode.Run(_cbor, message, context);
            }
            finally
            {
                _cbor.Donation = null;
            }
            return true;
        }
        _json.Reset(envelope.Msg);
        try
        {
            Serialization.Decode.Run(_json, message, context);
            if (!envelope.MsgValidated)
            {
                _json.ExpectEnd();
            }
            return true;
        }
        catch (RosbridgeFormatException) when (!envelope.MsgValidated && !envelope.TryValidate(out _))
        {
            return false;
        }
    }
}
