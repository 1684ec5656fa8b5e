using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;

namespace RobotBridge.Ros.Protocol;

/// <summary>Client-to-server WebSocket frames (RFC 6455 §5.2-5.3): always final, always masked
/// with the key the caller draws per frame.</summary>
public static class WebSocketFrameWriter
{
    /// <summary>The longest client frame header: 2 bytes + 8-byte length + 4-byte mask key.</summary>
    public const int MaxHeaderBytes = 14;

    public const byte Continuation = 0x0;
    public const byte Text = 0x1;
    public const byte Binary = 0x2;
    public const byte Close = 0x8;
    public const byte Ping = 0x9;
    public const byte Pong = 0xA;

    /// <summary>Writes the header of a final masked frame into <paramref name="destination"/> and returns its length.</summary>
    public static int WriteHeader(Span<byte> destination, byte opcode, long payloadLength, uint maskKey)
    {
        destination[0] = (byte)(0x80 | opcode);
        int at;
        if (payloadLength < 126)
        {
            destination[1] = (byte)(0x80 | payloadLength);
            at = 2;
        }
        else if (payloadLength <= ushort.MaxValue)
        {
            destination[1] = 0x80 | 126;
            BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)payloadLength);
            at = 4;
        }
        else
        {
            destination[1] = 0x80 | 127;
            BinaryPrimitives.WriteUInt64BigEndian(destination[2..], (ulong)payloadLength);
            at = 10;
        }
        BinaryPrimitives.WriteUInt32BigEndian(destination[at..], maskKey);
        return at + 4;
    }

    /// <summary>Copies <paramref name="source"/> into <paramref name="destination"/> XORed with the mask,
    /// where <paramref name="source"/> starts <paramref name="offset"/> bytes into the payload (so a long
    /// payload can be masked in chunks).</summary>
    public static void Mask(ReadOnlySpan<byte> source, Span<byte> destination, uint maskKey, long offset)
    {
        Span<byte> key = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(key, maskKey);
        int rotation = (int)(offset & 3);
        // The key as it lines up with source[0], repeated over a machine word for the bulk of the payload.
        uint rotated = BitConverter.IsLittleEndian
            ? (uint)(key[rotation] | key[(rotation + 1) & 3] << 8 | key[(rotation + 2) & 3] << 16 | key[(rotation + 3) & 3] << 24)
            : (uint)(key[rotation] << 24 | key[(rotation + 1) & 3] << 16 | key[(rotation + 2) & 3] << 8 | key[(rotation + 3) & 3]);
        int i = 0;
        if (Vector.IsHardwareAccelerated && source.Length >= Vector<byte>.Count)
        {
            var pattern = new Vector<uint>(rotated);
            var words = MemoryMarshal.Cast<byte, Vector<uint>>(source);
            var output = MemoryMarshal.Cast<byte, Vector<uint>>(destination);
            for (int v = 0; v < words.Length; v++)
            {
                output[v] = words[v] ^ pattern;
            }
            i = words.Length * Vector<byte>.Count;
        }
        for (; i + 4 <= source.Length; i += 4)
        {
            uint word = MemoryMarshal.Read<uint>(source[i..]);
            MemoryMarshal.Write(destination[i..], word ^ rotated);
        }
        for (; i < source.Length; i++)
        {
            destination[i] = (byte)(source[i] ^ key[(rotation + i) & 3]);
        }
    }
}
