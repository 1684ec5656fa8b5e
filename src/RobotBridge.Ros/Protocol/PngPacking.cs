using System.Buffers.Binary;
using System.IO.Compression;

namespace RobotBridge.Ros.Protocol;

/// <summary>
/// rosbridge's <c>png</c> compression: the JSON text of a message packed into the bytes of an 8-bit
/// RGB PNG (width = floor(sqrt(L/3)), padded with '\n'), sent base64 in a <c>png</c> op.
/// Only what that needs: truecolour 8-bit, non-interlaced; the decoder undoes all five filters.
/// </summary>
public static class PngPacking
{
    private static ReadOnlySpan<byte> Signature => [137, 80, 78, 71, 13, 10, 26, 10];

    public static byte[] Pack(ReadOnlySpan<byte> utf8Json)
    {
        int length = Math.Max(utf8Json.Length, 3);
        int width = Math.Max(1, (int)Math.Floor(Math.Sqrt(length / 3.0)));
        int height = (int)Math.Ceiling(length / 3.0 / width);
        var pixels = new byte[width * height * 3];
        pixels.AsSpan().Fill((byte)'\n');
        utf8Json.CopyTo(pixels);
        return EncodeRgb(pixels, width, height);
    }

    /// <summary>The JSON text carried by a packed PNG (trailing newline padding is JSON whitespace).</summary>
    public static byte[] Unpack(ReadOnlySpan<byte> png) => DecodeRgb(png, out _, out _);

    public static byte[] EncodeRgb(ReadOnlySpan<byte> rgb, int width, int height)
    {
        using var output = new MemoryStream();
        output.Write(Signature);
        Span<byte> ihdr = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr[4..], height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // colour type: truecolour
        WriteChunk(output, "IHDR"u8, ihdr);
        using (var raw = new MemoryStream())
        {
            using (var z = new ZLibStream(raw, CompressionLevel.Fastest, leaveOpen: true))
            {
                int stride = width * 3;
                for (int y = 0; y < height; y++)
                {
                    z.WriteByte(0); // filter: none
                    z.Write(rgb.Slice(y * stride, stride));
                }
            }
            WriteChunk(output, "IDAT"u8, raw.ToArray());
        }
        WriteChunk(output, "IEND"u8, []);
        return output.ToArray();
    }

    public static byte[] DecodeRgb(ReadOnlySpan<byte> png, out int width, out int height)
    {
        if (png.Length < 8 || !png[..8].SequenceEqual(Signature))
        {
            throw new RosbridgeFormatException("png: data is not a PNG (bad signature)");
        }
        width = height = 0;
        using var idat = new MemoryStream();
        int pos = 8;
        while (pos + 12 <= png.Length)
        {
            int len = BinaryPrimitives.ReadInt32BigEndian(png[pos..]);
            if (len < 0 || pos + 12 + len > png.Length)
            {
                throw new RosbridgeFormatException($"png: chunk at byte {pos} runs past the end");
            }
            var type = png.Slice(pos + 4, 4);
            var data = png.Slice(pos + 8, len);
            if (type.SequenceEqual("IHDR"u8))
            {
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                if (data[8] != 8 || data[9] != 2 || data[12] != 0)
                {
                    throw new RosbridgeFormatException($"png: only 8-bit RGB non-interlaced is used by rosbridge (depth {data[8]}, colour type {data[9]}, interlace {data[12]})");
                }
                if (width <= 0 || height <= 0 || (long)width * height > 64L * 1024 * 1024)
                {
                    throw new RosbridgeFormatException($"png: bad size {width}x{height}");
                }
            }
            else if (type.SequenceEqual("IDAT"u8))
            {
                idat.Write(data);
            }
            else if (type.SequenceEqual("IEND"u8))
            {
                break;
            }
            pos += 12 + len;
        }
        if (width == 0)
        {
            throw new RosbridgeFormatException("png: no IHDR chunk");
        }
        int stride = width * 3;
        var filtered = new byte[(stride + 1) * height];
        idat.Position = 0;
        try
        {
            using var z = new ZLibStream(idat, CompressionMode.Decompress);
            z.ReadExactly(filtered);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
        {
            throw new RosbridgeFormatException($"png: image data is corrupt: {e.Message}", e);
        }
        var rgb = new byte[stride * height];
        for (int y = 0; y < height; y++)
        {
            byte filter = filtered[y * (stride + 1)];
            var src = filtered.AsSpan(y * (stride + 1) + 1, stride);
            var dst = rgb.AsSpan(y * stride, stride);
            var up = y > 0 ? rgb.AsSpan((y - 1) * stride, stride) : default;
            for (int x = 0; x < stride; x++)
            {
                int a = x >= 3 ? dst[x - 3] : 0;
                int b = y > 0 ? up[x] : 0;
                int c = x >= 3 && y > 0 ? up[x - 3] : 0;
                int predictor = filter switch
                {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => (a + b) >> 1,
                    4 => Paeth(a, b, c),
                    _ => throw new RosbridgeFormatException($"png: unknown filter {filter} on row {y}"),
                };
                dst[x] = (byte)(src[x] + predictor);
            }
        }
        return rgb;
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static void WriteChunk(Stream output, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        output.Write(word);
        output.Write(type);
        output.Write(data);
        uint crc = Crc32.Update(Crc32.Update(0xFFFFFFFFu, type), data) ^ 0xFFFFFFFFu;
        BinaryPrimitives.WriteUInt32BigEndian(word, crc);
        output.Write(word);
    }

    private static class Crc32
    {
        private static readonly uint[] Table = Build();

        private static uint[] Build()
        {
            var table = new uint[256];
            for (uint n = 0; n < 256; n++)
            {
                uint c = n;
                for (int k = 0; k < 8; k++)
                {
                    c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
                }
                table[n] = c;
            }
            return table;
        }

        public static uint Update(uint crc, ReadOnlySpan<byte> data)
        {
            foreach (byte b in data)
            {
                crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
            }
            return crc;
        }
    }
}
