using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Text.Json;
using System.Text.Unicode;
using RobotBridge.Ros.Protocol;

namespace RobotBridge.Ros.Serialization;

/// <summary>
/// A forward-only position in UTF-8 JSON that accepts exactly what <see cref="Utf8JsonReader"/>
/// (default options, depth 64) accepts, without building tokens: the receive hot path walks a
/// publish frame's envelope to validate it (<see cref="SkipValue"/>) and its msg once, decoding it.
/// String contents are validated for escapes and control characters here; their UTF-8 and escapes
/// are decoded by <see cref="Utf8JsonReader"/> only when a string is actually read and escaped.
/// </summary>
internal struct JsonCursor
{
    /// <summary>Containers nested deeper than this are rejected, as by <see cref="Utf8JsonReader"/>.</summary>
    public const int MaxDepth = 64;

    // The bytes as array + range: ReadOnlyMemory.Span costs a type check on every access, and the
    // cursor reads a byte at a time. Frames come from pooled arrays; anything else is copied once.
    private readonly byte[] _bytes;
    private readonly int _origin;
    private readonly int _length;

    public JsonCursor(ReadOnlyMemory<byte> data)
    {
        if (MemoryMarshal.TryGetArray(data, out var segment) && segment.Array is not null)
        {
            (_bytes, _origin, _length) = (segment.Array, segment.Offset, segment.Count);
        }
        else
        {
            (_bytes, _origin, _length) = (data.ToArray(), 0, data.Length);
        }
        Position = 0;
    }

    public int Position;

    private readonly ReadOnlySpan<byte> Data
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => new(_bytes, _origin, _length);
    }

    public readonly int Length => _length;

    public readonly bool AtEnd => Position >= _length;

    public static RosbridgeFormatException Invalid(string what, int position) => new($"JSON is not valid: {what} at byte {position}");

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void SkipWhitespace()
    {
        // Usually there is none (compact JSON): one compare, inlined.
        if ((uint)Position < (uint)_length && _bytes[_origin + Position] > (byte)' ')
        {
            return;
        }
        SkipWhitespaceSlow();
    }

    private void SkipWhitespaceSlow()
    {
        var span = Data;
        int i = Position;
        while (i < span.Length)
        {
            byte c = span[i];
            if (c != (byte)' ' && c != (byte)'\n' && c != (byte)'\r' && c != (byte)'\t')
            {
                break;
            }
            i++;
        }
        Position = i;
    }

    /// <summary>The next non-whitespace byte without consuming it; fails at the end of the data.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte Peek()
    {
        SkipWhitespace();
        if ((uint)Position >= (uint)_length)
        {
            ThrowEnd(Position);
        }
        return _bytes[_origin + Position];
    }

    [DoesNotReturn]
    private static void ThrowEnd(int position) => throw Invalid("unexpected end", position);

    /// <summary>Consumes <paramref name="expected"/> (after whitespace) or fails.</summary>
    public void Expect(byte expected)
    {
        if (Peek() != expected)
        {
            throw Invalid($"expected '{(char)expected}', found '{(char)Data[Position]}'", Position);
        }
        Position++;
    }

    /// <summary>Consumes <paramref name="expected"/> if it is next (after whitespace).</summary>
    public bool TryConsume(byte expected)
    {
        if (Peek() != expected)
        {
            return false;
        }
        Position++;
        return true;
    }

    /// <summary>A string token at the cursor: its raw bytes between the quotes and whether they hold escapes.</summary>
    public ReadOnlySpan<byte> ReadRawString(out bool escaped, out int tokenStart)
    {
        if (Peek() != (byte)'"')
        {
            throw Invalid("expected a string", Position);
        }
        var span = Data;
        tokenStart = Position;
        int start = Position + 1;
        int i = start;
        escaped = false;
        while (true)
        {
            // The common case: plain bytes up to the closing quote.
            int next = span[i..].IndexOfAny((byte)'"', (byte)'\\');
            if (next < 0)
            {
                throw Invalid("unterminated string", tokenStart);
            }
            if (span.Slice(i, next).IndexOfAnyInRange((byte)0, (byte)0x1F) >= 0)
            {
                throw Invalid("control character in a string", i);
            }
            i += next;
            if (span[i] == (byte)'"')
            {
                Position = i + 1;
                return span[start..i];
            }
            escaped = true;
            i = SkipEscape(span, i);
        }
    }

    /// <summary>Consumes the string token <c>"<paramref name="plain"/>"</c> if it is next (after whitespace).
    /// For bytes that hold no quote, backslash or control character (the caller's promise) that token
    /// is valid and means exactly those bytes, so no scan for escapes is needed.</summary>
    public bool TryConsumePlainString(ReadOnlySpan<byte> plain)
    {
        SkipWhitespace();
        int open = Position;
        int close = open + 1 + plain.Length;
        if ((uint)close >= (uint)_length || _bytes[_origin + open] != (byte)'"' || _bytes[_origin + close] != (byte)'"'
            || !plain.SequenceEqual(new ReadOnlySpan<byte>(_bytes, _origin + open + 1, plain.Length)))
        {
            return false;
        }
        Position = close + 1;
        return true;
    }

    /// <summary>Validates the escape at <paramref name="i"/> (a backslash) and returns the index after it.</summary>
    private static int SkipEscape(ReadOnlySpan<byte> span, int i)
    {
        if (i + 1 >= span.Length)
        {
            throw Invalid("unterminated string", i);
        }
        switch (span[i + 1])
        {
            case (byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t':
                return i + 2;
            case (byte)'u':
                if (i + 6 > span.Length)
                {
                    throw Invalid("unterminated string", i);
                }
                for (int k = i + 2; k < i + 6; k++)
                {
                    if (!char.IsAsciiHexDigit((char)span[k]))
                    {
                        throw Invalid("bad \\u escape", k);
                    }
                }
                return i + 6;
            default:
                throw Invalid("bad escape", i);
        }
    }

    /// <summary>A number token at the cursor (JSON grammar exactly); returns its bytes.</summary>
    public ReadOnlySpan<byte> ReadNumberToken()
    {
        SkipWhitespace();
        var span = Data;
        int start = Position;
        int i = start;
        if (i < span.Length && span[i] == (byte)'-')
        {
            i++;
        }
        if (i >= span.Length || !char.IsAsciiDigit((char)span[i]))
        {
            throw Invalid("expected a number", start);
        }
        if (span[i] == (byte)'0')
        {
            i++;
        }
        else
        {
            while (i < span.Length && char.IsAsciiDigit((char)span[i]))
            {
                i++;
            }
        }
        if (i < span.Length && span[i] == (byte)'.')
        {
            i++;
            int digits = i;
            while (i < span.Length && char.IsAsciiDigit((char)span[i]))
            {
                i++;
            }
            if (i == digits)
            {
                throw Invalid("expected a digit after '.'", i);
            }
        }
        if (i < span.Length && (span[i] == (byte)'e' || span[i] == (byte)'E'))
        {
            i++;
            if (i < span.Length && (span[i] == (byte)'+' || span[i] == (byte)'-'))
            {
                i++;
            }
            int digits = i;
            while (i < span.Length && char.IsAsciiDigit((char)span[i]))
            {
                i++;
            }
            if (i == digits)
            {
                throw Invalid("expected a digit in the exponent", i);
            }
        }
        // A number must end at a delimiter ("1x", "01" and "1true" are not JSON).
        if (i < span.Length && !IsDelimiter(span[i]))
        {
            throw Invalid("bad number", start);
        }
        Position = i;
        return span[start..i];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsDelimiter(byte c) =>
        c is (byte)',' or (byte)']' or (byte)'}' or (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t';

    /// <summary>Consumes the literal <paramref name="literal"/> (true, false, null), which must end at a delimiter.</summary>
    public bool TryLiteral(ReadOnlySpan<byte> literal)
    {
        SkipWhitespace();
        var rest = Data[Position..];
        if (!rest.StartsWith(literal) || (rest.Length > literal.Length && !IsDelimiter(rest[literal.Length])))
        {
            return false;
        }
        Position += literal.Length;
        return true;
    }

    /// <summary>True when <paramref name="json"/> is exactly one valid JSON value (whitespace around it
    /// allowed) nested at <paramref name="depth"/>.</summary>
    public static bool IsOneValue(ReadOnlyMemory<byte> json, int depth)
    {
        var cursor = new JsonCursor(json);
        try
        {
            cursor.SkipValue(depth);
            cursor.SkipWhitespace();
            return cursor.AtEnd;
        }
        catch (RosbridgeFormatException)
        {
            return false;
        }
    }

    /// <summary>Skips one value, validating it; <paramref name="depth"/> is the nesting of the value's container.</summary>
    public void SkipValue(int depth)
    {
        byte c = Peek();
        switch (c)
        {
            case (byte)'{':
            case (byte)'[':
                {
                    if (depth + 1 > MaxDepth)
                    {
                        throw Invalid($"nested deeper than {MaxDepth}", Position);
                    }
                    Position++;
                    byte close = c == (byte)'{' ? (byte)'}' : (byte)']';
                    if (TryConsume(close))
                    {
                        return;
                    }
                    do
                    {
                        if (close == (byte)'}')
                        {
                            ReadRawString(out _, out _);
                            Expect((byte)':');
                        }
                        SkipValue(depth + 1);
                    }
                    while (TryConsume((byte)','));
                    Expect(close);
                    return;
                }
            case (byte)'"':
                ReadRawString(out _, out _);
                return;
            case (byte)'t':
                Require(TryLiteral("true"u8));
                return;
            case (byte)'f':
                Require(TryLiteral("false"u8));
                return;
            case (byte)'n':
                Require(TryLiteral("null"u8));
                return;
            default:
                ReadNumberToken();
                return;
        }
    }

    private readonly void Require(bool literal)
    {
        if (!literal)
        {
            throw Invalid("bad literal", Position);
        }
    }

    /// <summary>Reads a number at the cursor as a double in one pass over its digits (validating the
    /// JSON grammar as <see cref="ReadNumberToken"/> does), with the same result as
    /// <see cref="Utf8JsonReader.TryGetDouble"/>: the exact decimal value rounded once.</summary>
    public double ReadDouble()
    {
        SkipWhitespace();
        int position = Position;
        double value = ParseNumber(Data, ref position);
        Position = position;
        return value;
    }

    /// <summary>A whole number token as a double (tests, and the same code as <see cref="ReadDouble"/>).</summary>
    public static double ParseDouble(ReadOnlySpan<byte> token)
    {
        int position = 0;
        double value = ParseNumber(token, ref position);
        return position == token.Length ? value : throw Invalid("trailing bytes after a number", position);
    }

    /// <summary>
    /// Up to 19 significant digits without an exponent are accumulated as an integer mantissa and a
    /// power of ten; a mantissa up to 2^53 with a power within 10^-22 is exact, so one division rounds
    /// correctly (Clinger's fast path); wider mantissas go through <see cref="EiselLemire"/>.
    /// Exponents, more digits or smaller powers fall back to the runtime's parser.
    /// </summary>
    private static double ParseNumber(ReadOnlySpan<byte> span, ref int position)
    {
        int i = position;
        int start = i;
        bool negative = i < span.Length && span[i] == (byte)'-';
        if (negative)
        {
            i++;
        }
        if (i >= span.Length || !char.IsAsciiDigit((char)span[i]))
        {
            throw Invalid("expected a number", start);
        }
        ulong mantissa = 0;
        int digits = 0;
        int exponent = 0;
        bool slow = false;
        if (span[i] == (byte)'0')
        {
            i++;
        }
        else
        {
            i += ManyDigits(span, i, ref mantissa, ref digits);
            for (; i < span.Length && char.IsAsciiDigit((char)span[i]); i++)
            {
                slow |= !Accumulate(ref mantissa, ref digits, span[i]);
            }
        }
        if (i < span.Length && span[i] == (byte)'.')
        {
            i++;
            int first = i;
            int many = ManyDigits(span, i, ref mantissa, ref digits);
            i += many;
            exponent -= many;
            for (; i < span.Length && char.IsAsciiDigit((char)span[i]); i++)
            {
                slow |= !Accumulate(ref mantissa, ref digits, span[i]);
                exponent--;
            }
            if (i == first)
            {
                throw Invalid("expected a digit after '.'", i);
            }
        }
        if (i < span.Length && (span[i] == (byte)'e' || span[i] == (byte)'E'))
        {
            // An exponent: rare in rosbridge output; the runtime's parser handles it.
            slow = true;
            i++;
            if (i < span.Length && (span[i] == (byte)'+' || span[i] == (byte)'-'))
            {
                i++;
            }
            int first = i;
            while (i < span.Length && char.IsAsciiDigit((char)span[i]))
            {
                i++;
            }
            if (i == first)
            {
                throw Invalid("expected a digit in the exponent", i);
            }
        }
        if (i < span.Length && !IsDelimiter(span[i]))
        {
            throw Invalid("bad number", start);
        }
        position = i;
        if (slow || exponent < -22)
        {
            // Out of double's range the runtime returns ±Infinity, as the general path maps it.
            return double.Parse(span[start..i], NumberStyles.Float, CultureInfo.InvariantCulture);
        }
        if (mantissa == 0)
        {
            return negative ? -0.0 : 0.0;
        }
        double value = mantissa <= 1UL << 53
            ? (double)mantissa / PowersOfTen[-exponent]
            : EiselLemire(mantissa, -exponent);
        return negative ? -value : value;
    }

    /// <summary>
    /// Takes the run of digits at <paramref name="i"/> into <paramref name="mantissa"/> and returns its
    /// length, as <see cref="EightDigitsAtATime"/> does (leading zeros count as digits; the total stays
    /// within 19), but up to 16 digits in one go when 16 bytes are there: one compare finds the run, a
    /// shuffle right-aligns it behind zeros, and three multiply-adds of adjacent lanes (×10, ×100,
    /// ×10000) turn it into two eight-digit halves. The byte-wise loop takes any digits after it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ManyDigits(ReadOnlySpan<byte> span, int i, ref ulong mantissa, ref int digits)
    {
        if (!Ssse3.IsSupported || !Sse41.IsSupported || span.Length - i < 16)
        {
            return EightDigitsAtATime(span[i..], ref mantissa, ref digits);
        }
        var values = Vector128.LoadUnsafe(ref MemoryMarshal.GetReference(span), (nuint)i) - Vector128.Create((byte)'0');
        // Bytes below '0' wrap to 208 and up, so one unsigned compare tells digits from the rest.
        uint digitMask = Vector128.LessThan(values, Vector128.Create((byte)10)).ExtractMostSignificantBits();
        int run = BitOperations.TrailingZeroCount(~digitMask);
        if (run == 0 || digits + run > 19)
        {
            return run == 0 ? 0 : EightDigitsAtATime(span[i..], ref mantissa, ref digits);
        }
        var aligned = Ssse3.Shuffle(values, Vector128.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(RightAlign), (nuint)(run * 16)));
        var pairs = Ssse3.MultiplyAddAdjacent(aligned, Vector128.Create((short)(10 | 1 << 8)).AsSByte());
        var fours = Sse2.MultiplyAddAdjacent(pairs, Vector128.Create(100 | 1 << 16).AsInt16());
        var packed = Sse41.PackUnsignedSaturate(fours, fours).AsInt16();
        var eights = Sse2.MultiplyAddAdjacent(packed, Vector128.Create(10000 | 1 << 16).AsInt16());
        ulong value = (ulong)(uint)eights.GetElement(0) * 100_000_000 + (uint)eights.GetElement(1);
        mantissa = mantissa * PowersOfTenExact[run] + value;
        digits += run;
        return run;
    }

    /// <summary>Shuffle controls for <see cref="ManyDigits"/>: row r moves lanes 0..r-1 to the last r
    /// lanes and zeroes the others (0x80), so r digits read as a 16-digit number.</summary>
    private static readonly byte[] RightAlign = BuildRightAlign();

    private static byte[] BuildRightAlign()
    {
        var table = new byte[17 * 16];
        for (int r = 0; r <= 16; r++)
        {
            for (int lane = 0; lane < 16; lane++)
            {
                table[r * 16 + lane] = lane < 16 - r ? (byte)0x80 : (byte)(lane - (16 - r));
            }
        }
        return table;
    }

    /// <summary>10^0 … 10^16 as integers.</summary>
    private static readonly ulong[] PowersOfTenExact = BuildPowersOfTenExact();

    private static ulong[] BuildPowersOfTenExact()
    {
        var powers = new ulong[17];
        powers[0] = 1;
        for (int i = 1; i < powers.Length; i++)
        {
            powers[i] = powers[i - 1] * 10;
        }
        return powers;
    }

    /// <summary>
    /// Takes digits eight at a time into <paramref name="mantissa"/> while a whole group of eight is
    /// digits and the total stays within 19 (so it fits a ulong), and returns how many it took; the
    /// byte-wise loop does the rest. Leading zeros count as digits here (the byte-wise loop skips them),
    /// which can only send a number to the exact slow path sooner. SWAR: one ulong tests eight bytes for
    /// '0'..'9' and turns them into their value with three multiplications.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int EightDigitsAtATime(ReadOnlySpan<byte> span, ref ulong mantissa, ref int digits)
    {
        if (!BitConverter.IsLittleEndian)
        {
            return 0;
        }
        int taken = 0;
        while (span.Length - taken >= 8 && digits <= 11)
        {
            ulong chunk = MemoryMarshal.Read<ulong>(span[taken..]);
            if ((chunk & 0xF0F0F0F0F0F0F0F0) != 0x3030303030303030 || ((chunk + 0x0606060606060606) & 0xF0F0F0F0F0F0F0F0) != 0x3030303030303030)
            {
                break;
            }
            ulong value = chunk - 0x3030303030303030;
            value = value * 10 + (value >> 8);
            value = ((value & 0x000000FF000000FF) * (100 + (1000000UL << 32)) + ((value >> 16) & 0x000000FF000000FF) * (1 + (10000UL << 32))) >> 32;
            mantissa = mantissa * 100_000_000 + (uint)value;
            digits += 8;
            taken += 8;
        }
        return taken;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Accumulate(ref ulong mantissa, ref int digits, byte digit)
    {
        if (mantissa == 0 && digit == (byte)'0')
        {
            return true;
        }
        if (digits == 19)
        {
            return false;
        }
        mantissa = mantissa * 10 + (ulong)(digit - '0');
        digits++;
        return true;
    }

    /// <summary>
    /// <paramref name="mantissa"/> (wider than 2^53) / 10^<paramref name="k"/> (0 ≤ k ≤ 22) rounded once to
    /// the nearest double, ties to even, with no division: the Eisel–Lemire method (Lemire, "Number
    /// parsing at a gigabyte per second", 2021). The mantissa, shifted to fill 64 bits, is multiplied
    /// by a 128-bit approximation of 5^-k (<see cref="ReciprocalsOfFive"/>, rounded up, normalised to
    /// 2^127..2^128); the top 54 bits of the product are the significand plus a rounding bit. For
    /// exponents down to 10^-27 the 128-bit approximation is exact enough that no fallback is needed,
    /// and a tie is only possible for k ≤ 4, where it shows as a product whose dropped bits are all
    /// zero. The 17-digit values Python's repr (rosbridge's encoder) writes all land here.
    /// </summary>
    private static double EiselLemire(ulong mantissa, int k)
    {
        int lz = BitOperations.LeadingZeroCount(mantissa);
        ulong w = mantissa << lz;
        ulong high = Math.BigMul(w, ReciprocalsOfFive[2 * k], out ulong low);
        if ((high & 0x1FF) == 0x1FF)
        {
            // The bits below the 54 kept ones are all ones: the low word of the power may carry into them.
            ulong carry = Math.BigMul(w, ReciprocalsOfFive[2 * k + 1], out _);
            low += carry;
            if (low < carry)
            {
                high++;
            }
        }
        int upper = (int)(high >> 63);
        ulong significand = high >> (upper + 9);
        // floor(-k log2 10) + 63, the product's binary exponent, biased by 1023.
        int biased = ((-217706 * k) >> 16) + 63 + upper - lz + 1023;
        if (low <= 1 && k <= 4 && (significand & 3) == 1 && significand << (upper + 9) == high)
        {
            // Exactly halfway (nothing but zeros was dropped): round to even, i.e. down here.
            significand &= ~1UL;
        }
        significand = (significand + (significand & 1)) >> 1;
        if (significand >= 1UL << 53)
        {
            significand = 1UL << 52;
            biased++;
        }
        return BitConverter.Int64BitsToDouble((long)((ulong)biased << 52 | (significand & ((1UL << 52) - 1))));
    }

    /// <summary>For k = 0 … 22, the high and low words of 2^(127 + ⌈log2 5^k⌉) / 5^k rounded up (2^127 for
    /// k = 0): 5^-k scaled into 2^127..2^128, as the Eisel–Lemire method takes it.</summary>
    private static readonly ulong[] ReciprocalsOfFive = BuildReciprocalsOfFive();

    private static ulong[] BuildReciprocalsOfFive()
    {
        var table = new ulong[2 * 23];
        table[0] = 1UL << 63;
        for (int k = 1; k <= 22; k++)
        {
            var five = BigInteger.Pow(5, k);
            int z = (int)(five - 1).GetBitLength();
            var scaled = (BigInteger.One << (127 + z)) / five + 1;
            table[2 * k] = (ulong)(scaled >> 64);
            table[2 * k + 1] = (ulong)(scaled & ulong.MaxValue);
        }
        return table;
    }

    /// <summary>10^0 … 10^22, every one an exact double.</summary>
    private static readonly double[] PowersOfTen =
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];

    /// <summary>The string token at <paramref name="tokenStart"/> (quotes included) unescaped by
    /// <see cref="Utf8JsonReader"/>, which also rejects invalid UTF-8 and lone surrogates.</summary>
    public readonly string UnescapeString(int tokenStart, int tokenEnd)
    {
        var reader = new Utf8JsonReader(Data[tokenStart..tokenEnd]);
        reader.Read();
        return reader.GetString()!;
    }

    public readonly Utf8JsonReader StringReader(int tokenStart, int tokenEnd)
    {
        var reader = new Utf8JsonReader(Data[tokenStart..tokenEnd]);
        reader.Read();
        return reader;
    }
}
