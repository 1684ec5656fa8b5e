using System.Formats.Cbor;
using System.Text;
using System.Text.Json;
using RobotBridge.Ros.Messages;
using RobotBridge.Ros.Protocol;

namespace RobotBridge.Ros.Serialization;

/// <summary>The one place where decoder faults of any kind become a <see cref="RosbridgeFormatException"/>.</summary>
public static class Decode
{
    public static void Run(RosReader reader, Action<RosReader> read, string what)
    {
        try
        {
            read(reader);
        }
        catch (Exception e) when (Wrap(e, reader, what) is { } wrapped)
        {
            throw wrapped;
        }
    }

    /// <summary><see cref="Run(RosReader, Action{RosReader}, string)"/> without a delegate per call (the receive hot path).</summary>
    public static void Run(RosReader reader, IRosMessage message, string what)
    {
        try
        {
            message.Read(reader);
        }
        catch (Exception e) when (Wrap(e, reader, what) is { } wrapped)
        {
            throw wrapped;
        }
    }

    private static RosbridgeFormatException? Wrap(Exception e, RosReader reader, string what) => e switch
    {
        RosbridgeFormatException format => new RosbridgeFormatException($"{what}: {format.Message}", format),
        CborContentException or InvalidOperationException or FormatException or JsonException or OverflowException
            or DecoderFallbackException or ArgumentException or IndexOutOfRangeException
            => new RosbridgeFormatException($"{what}: field '{reader.LastField}': {e.Message}", e),
        _ => null,
    };
}

/// <summary>
/// Python's json writes NaN and ±Infinity as bare tokens (rosbridge 2, fixed-size float arrays), which
/// is not JSON. This rewrites them, outside strings, as quoted literals the readers understand.
/// </summary>
internal static class NonFiniteTokens
{
    public static byte[]? Quote(ReadOnlySpan<byte> json)
    {
        if (json.IndexOf("NaN"u8) < 0 && json.IndexOf("Infinity"u8) < 0)
        {
            return null;
        }
        var output = new List<byte>(json.Length + 16);
        bool inString = false;
        for (int i = 0; i < json.Length; i++)
        {
            byte c = json[i];
            if (inString)
            {
                output.Add(c);
                if (c == (byte)'\\' && i + 1 < json.Length)
                {
                    output.Add(json[++i]);
                }
                else if (c == (byte)'"')
                {
                    inString = false;
                }
                continue;
            }
            if (c == (byte)'"')
            {
                inString = true;
                output.Add(c);
                continue;
            }
            ReadOnlySpan<byte> rest = json[i..];
            ReadOnlySpan<byte> token = rest.StartsWith("NaN"u8) ? "NaN"u8
                : rest.StartsWith("Infinity"u8) ? "Infinity"u8
                : rest.StartsWith("-Infinity"u8) ? "-Infinity"u8
                : default;
            if (token.IsEmpty)
            {
                output.Add(c);
                continue;
            }
            output.Add((byte)'"');
            output.AddRange(token);
            output.Add((byte)'"');
            i += token.Length - 1;
        }
        return output.ToArray();
    }
}
