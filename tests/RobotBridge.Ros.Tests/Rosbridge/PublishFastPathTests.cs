using System.Formats.Cbor;
using System.Globalization;
using System.Text;
using RobotBridge.Ros.Messages;
using RobotBridge.Ros.Protocol;
using RobotBridge.Ros.Serialization;

namespace RobotBridge.Ros.Tests.Rosbridge;

/// <summary>The client's hot path (<see cref="PublishEnvelope"/> + <see cref="BodyDecoder"/>, no DOM) must
/// decode every publish frame exactly as the general path (<see cref="IncomingMessage"/>) does, or
/// decline it and leave it to the general path; never accept what the general path rejects.</summary>
public class PublishFastPathTests
{
    private const string Context = "publish 'msg' as test";

    /// <summary>Outcome of the general path: the message re-encoded as JSON (NaN as null), or null when it refused.</summary>
    /// <remarks>Both paths decode into a reused instance, as a subscription does.</remarks>
    private static string? General<T>(byte[] frame, bool cbor, T target) where T : IRosMessage
    {
        try
        {
            using var parsed = cbor ? IncomingMessage.ParseCbor(frame) : IncomingMessage.ParseJson(frame);
            if (parsed.Op != "publish" || !parsed.TryReadBody("msg", target))
            {
                return null;
            }
            return Encode(target);
        }
        catch (RosbridgeFormatException)
        {
            return null;
        }
    }

    /// <summary>Outcome of the fast path into a reused target: "declined", the re-encoded message, or null when it refused.</summary>
    private static string? Fast<T>(byte[] frame, bool cbor, BodyDecoder decoder, T target) where T : IRosMessage
    {
        bool scanned = cbor
            ? PublishEnvelope.TryScanCbor(frame, new CborReader(frame, CborConformanceMode.Lax), out var envelope)
            : PublishEnvelope.TryScanJson(frame, out envelope);
        // The client also declines a topic that is not UTF-8 (SubscriberTable.TryFind).
        if (!scanned || !System.Text.Unicode.Utf8.IsValid(envelope.Topic.Span))
        {
            return "declined";
        }
        try
        {
            // As the client does for a single subscriber: an unwalked msg that declines gets the walked scan.
            if (decoder.TryDecode(envelope, target))
            {
                return Encode(target);
            }
            if (!PublishEnvelope.TryScanJson(frame, out envelope, walkMsg: true))
            {
                return "declined";
            }
            decoder.Decode(envelope, target);
            return Encode(target);
        }
        catch (RosbridgeFormatException e)
        {
            Assert.Contains(Context, e.Message);
            return null;
        }
    }

    private static string Encode(IRosMessage message)
    {
        using var body = Frames.JsonBody(message, RosDialect.Ros1);
        return Encoding.UTF8.GetString(body.Memory.Span);
    }

    private static void AssertSame<T>(byte[] frame, bool cbor, BodyDecoder decoder, T reused, T reusedByGeneral) where T : IRosMessage
    {
        string? general = General(frame, cbor, reusedByGeneral);
        string? fast = Fast(frame, cbor, decoder, reused);
        if (fast != "declined")
        {
            Assert.Equal(general, fast);
        }
    }

    private static readonly string[] Special = ["\"", "\\", "/", "é", "€", "😀", "\t"];

    private static string RandomName(Random random)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz_0123456789";
        var text = new StringBuilder();
        int n = 1 + random.Next(24);
        for (int i = 0; i < n; i++)
        {
            text.Append(random.Next(12) switch
            {
                0 => Special[random.Next(Special.Length)],
                _ => alphabet[random.Next(alphabet.Length)].ToString(),
            });
        }
        return text.ToString();
    }

    private static double RandomDouble(Random random) => random.Next(20) switch
    {
        0 => double.NaN,
        1 => double.PositiveInfinity,
        2 => 0,
        3 => -0.0,
        4 => random.Next(-1000, 1000),
        5 => double.Epsilon,
        _ => (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-20, 20)),
    };

    /// <summary>A JointState written by hand: shuffled fields at every level, random whitespace,
    /// \u escapes and escaped '/' in names, numbers in several spellings, unknown fields, null arrays.</summary>
    private static string HandWrittenJointState(Random random, List<string> names)
    {
        string Ws() => random.Next(4) == 0 ? " \n\t"[..(1 + random.Next(3))] : "";
        string Str(string s)
        {
            var text = new StringBuilder("\"");
            foreach (char c in s)
            {
                text.Append(c switch
                {
                    '"' => "\\\"",
                    '\\' => "\\\\",
                    '\t' => "\\t",
                    '/' when random.Next(2) == 0 => "\\/",
                    _ when random.Next(15) == 0 && !char.IsSurrogate(c) => $"\\u{(int)c:x4}",
                    _ => c.ToString(),
                });
            }
            return text.Append('"').ToString();
        }
        string Num(double d) => double.IsNaN(d) ? (random.Next(2) == 0 ? "null" : "\"NaN\"")
            : double.IsPositiveInfinity(d) ? "\"Infinity\""
            : d == Math.Floor(d) && Math.Abs(d) < 1e6 && random.Next(2) == 0 ? ((long)d).ToString(CultureInfo.InvariantCulture)
            : random.Next(3) == 0 ? d.ToString("E10", CultureInfo.InvariantCulture) : d.ToString("R", CultureInfo.InvariantCulture);
        string Arr(int n) => random.Next(15) == 0 ? "null" : "[" + Ws() + string.Join("," + Ws(), Enumerable.Range(0, n).Select(_ => Num(RandomDouble(random)))) + Ws() + "]";
        string Obj(IEnumerable<string> fields) => "{" + Ws() + string.Join("," + Ws(), fields.OrderBy(_ => random.Next())) + Ws() + "}";

        int count = names.Count;
        var fields = new List<string>
        {
            "\"header\":" + Obj([
                $"\"seq\":{random.Next()}",
                "\"stamp\":" + Obj([$"\"secs\":{random.Next()}", $"\"nsecs\":{random.Next(1_000_000_000)}"]),
                "\"frame_id\":" + Str(random.Next(3) == 0 ? RandomName(random) : "base_link"),
            ]),
            "\"name\":[" + string.Join(",", names.Select(Str)) + "]",
            "\"position\":" + Arr(count),
            "\"velocity\":" + Arr(random.Next(3) == 0 ? 0 : count),
            "\"effort\":" + Arr(count),
        };
        if (random.Next(4) == 0)
        {
            fields.Add("\"unknown_field\":" + Obj(["\"a\":[1,{\"b\":null}]", "\"c\":\"d\""]));
        }
        if (random.Next(6) == 0)
        {
            fields.RemoveAt(random.Next(fields.Count));
        }
        string msg = Obj(fields);
        var envelope = new List<string> { "\"op\":\"publish\"", "\"topic\":\"/joint_states\"", "\"msg\":" + msg };
        if (random.Next(4) == 0)
        {
            envelope.Add("\"id\":\"subscribe:/joint_states:1\"");
        }
        return Obj(envelope);
    }

    [Fact]
    public void Random_hand_written_json_joint_states_decode_the_same_on_both_paths()
    {
        var random = new Random(14);
        var decoder = new BodyDecoder(Context);
        var reused = new JointState();
        var reusedByGeneral = new JointState();
        var names = FetchNames();
        int fastTaken = 0;
        for (int trial = 0; trial < 2000; trial++)
        {
            // Mostly the same names as last time (the reuse cache), sometimes new ones or another count.
            if (random.Next(5) == 0)
            {
                names = Enumerable.Range(0, random.Next(20)).Select(_ => RandomName(random)).ToList();
            }
            var frame = Encoding.UTF8.GetBytes(HandWrittenJointState(random, names));
            string? general = General(frame, false, reusedByGeneral);
            Assert.NotNull(general);
            string? fast = Fast(frame, false, decoder, reused);
            Assert.Equal(general, fast);
            fastTaken++;
            Assert.True(reused.Name.Count == 0 || names.SequenceEqual(reused.Name), "names decoded wrong");
        }
        Assert.Equal(2000, fastTaken);
    }

    private static List<string> FetchNames() =>
        ["l_wheel_joint", "r_wheel_joint", "torso_lift_joint", "head_pan_joint", "head_tilt_joint", "shoulder_pan_joint"];

    [Fact]
    public void Unchanged_joint_names_keep_their_string_instances()
    {
        var js = new JointState();
        js.Name.AddRange(FetchNames());
        js.Position.CopyFrom(new double[6]);
        using var body = Frames.JsonBody(js, RosDialect.Ros1);
        using var frame = Frames.JsonPublish("/joint_states", body.Memory.Span);
        Assert.True(PublishEnvelope.TryScanJson(frame.Memory.ToArray(), out var envelope));
        var decoder = new BodyDecoder(Context);
        var target = new JointState();
        decoder.Decode(envelope, target);
        var first = target.Name.ToArray();
        decoder.Decode(envelope, target);
        for (int i = 0; i < first.Length; i++)
        {
            Assert.Same(first[i], target.Name[i]);
        }
        Assert.Equal(FetchNames(), target.Name);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Random_messages_written_by_our_encoders_decode_the_same_on_both_paths(bool cbor)
    {
        var random = new Random(cbor ? 2 : 1);
        var jsDecoder = new BodyDecoder(Context);
        var imageDecoder = new BodyDecoder(Context);
        var trajectoryDecoder = new BodyDecoder(Context);
        var js = new JointState();
        var image = new Image();
        var trajectory = new JointTrajectoryMsg();
        var (jsGeneral, imageGeneral, trajectoryGeneral) = (new JointState(), new Image(), new JointTrajectoryMsg());
        for (int trial = 0; trial < 300; trial++)
        {
            var source = new JointState();
            source.Header.FrameId = RandomName(random);
            source.Header.Stamp = new RosTime(random.Next(), (uint)random.Next(1_000_000_000));
            int n = random.Next(16);
            source.Name.AddRange(Enumerable.Range(0, n).Select(_ => RandomName(random)));
            foreach (var array in new[] { source.Position, source.Velocity, source.Effort })
            {
                var span = array.Resize(random.Next(3) == 0 ? 0 : n);
                for (int i = 0; i < span.Length; i++)
                {
                    span[i] = RandomDouble(random);
                }
            }
            AssertSame(Frame(source, cbor), cbor, jsDecoder, js, jsGeneral);

            var picture = new Image { Width = (uint)random.Next(8), Height = (uint)random.Next(8), Encoding = random.Next(2) == 0 ? "rgb8" : RandomName(random), Step = (uint)random.Next(100) };
            random.NextBytes(picture.Data.Resize(random.Next(300)));
            AssertSame(Frame(picture, cbor), cbor, imageDecoder, image, imageGeneral);

            var path = new JointTrajectoryMsg();
            path.JointNames.AddRange(Enumerable.Range(0, random.Next(4)).Select(_ => RandomName(random)));
            for (int p = random.Next(4); p > 0; p--)
            {
                var point = new JointTrajectoryPoint { TimeFromStart = new RosTime(random.Next(10), (uint)random.Next(1000)) };
                point.Positions.CopyFrom(Enumerable.Range(0, random.Next(5)).Select(_ => RandomDouble(random)).ToArray());
                path.Points.Add(point);
            }
            AssertSame(Frame(path, cbor), cbor, trajectoryDecoder, trajectory, trajectoryGeneral);
        }
    }

    private static byte[] Frame(IRosMessage message, bool cbor)
    {
        if (cbor)
        {
            using var c = Frames.CborPublish("/t", Frames.CborBody(message, RosDialect.Ros1));
            return c.Memory.ToArray();
        }
        using var body = Frames.JsonBody(message, RosDialect.Ros1);
        using var frame = Frames.JsonPublish("/t", body.Memory.Span);
        return frame.Memory.ToArray();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Mutated_frames_are_declined_or_decoded_exactly_as_the_general_path_does(bool cbor)
    {
        var source = new JointState();
        source.Name.AddRange(["a", "b", "c"]);
        source.Position.CopyFrom([1, 2.5, -3]);
        source.Velocity.CopyFrom([0.5, 0.25, 0]);
        var valid = Frame(source, cbor);
        var random = new Random(cbor ? 4 : 3);
        var decoder = new BodyDecoder(Context);
        int decoded = 0;
        for (int trial = 0; trial < 3000; trial++)
        {
            var frame = (byte[])valid.Clone();
            for (int k = 1 + random.Next(3); k > 0; k--)
            {
                frame[random.Next(frame.Length)] = random.Next(3) == 0 ? (byte)random.Next(256) : (byte)"{}[],:\"0.e-nul\\"[random.Next(15)];
            }
            // Fresh targets: a frame the fast path declines would otherwise leave the two targets in different
            // states, and a message missing its header keeps the previous one (messages do not reset Header).
            string? general = General(frame, cbor, new JointState());
            string? fast = Fast(frame, cbor, decoder, new JointState());
            if (fast != "declined")
            {
                Assert.Equal(general, fast);
                decoded++;
            }
        }
        Assert.True(decoded > 100, $"only {decoded} of 3000 mutated frames went through the fast path: the test is not reaching it");
    }

    [Theory]
    [InlineData("{\"op\":\"status\",\"level\":\"error\",\"msg\":\"x\",\"topic\":\"/t\"}")]
    [InlineData("{\"op\":\"publish\",\"topic\":\"/t\"}")]
    [InlineData("{\"op\":\"publish\",\"msg\":{}}")]
    [InlineData("{\"op\":\"publish\",\"topic\":\"\\/t\",\"msg\":{}}")]
    [InlineData("{\"op\":\"publish\",\"topic\":\"/t\",\"msg\":{\"position\":[NaN]}}")]
    [InlineData("{\"op\":\"publish\",\"topic\":\"/t\",\"msg\":{}} x")]
    [InlineData("{\"op\":\"publish\",\"op\":\"publish\",\"topic\":\"/t\",\"msg\":{}}")]
    [InlineData("{\"\\u006fp\":\"publish\",\"topic\":\"/t\",\"msg\":{}}")]
    public void Frames_outside_the_fast_path_are_declined(string text)
    {
        var frame = Encoding.UTF8.GetBytes(text);
        Assert.False(PublishEnvelope.TryScanJson(frame, out var envelope)
                     && envelope.TryValidate(out _)
                     && new BodyDecoder(Context).TryDecode(envelope, new JointState()));
    }

    [Theory]
    [InlineData("{\"op\":\"publish\",\"topic\":\"/t\",\"msg\":{\"position\":[1]},\"id\":\"x\"}", false, true)]
    [InlineData("{\"op\":\"publish\",\"topic\":\"/t\",\"msg\":{\"position\":[1]},\"op\":\"x\"}", false, false)]
    [InlineData("{\"op\":\"publish\",\"topic\":\"/t\",\"msg\":{\"position\":[1]}}}", false, false)]
    [InlineData("{\"op\":\"publish\",\"topic\":\"/t\",\"msg\":{\"position\":[1]} }", true, true)]
    [InlineData("{\"op\":\"publish\",\"topic\":\"/t\",\"msg\":{\"position\":[1}}", false, false)]
    public void An_unwalked_msg_is_decoded_only_when_it_is_exactly_the_last_value(string text, bool last, bool valid)
    {
        var frame = Encoding.UTF8.GetBytes(text);
        Assert.True(PublishEnvelope.TryScanJson(frame, out var envelope));
        Assert.False(envelope.MsgValidated);
        var js = new JointState();
        Assert.Equal(last, envelope.TryValidate(out _));
        Assert.Equal(last, new BodyDecoder(Context).TryDecode(envelope, js));
        // The walked scan then takes a valid frame whose msg is not last, and declines the others
        // (a duplicate op is the general path's to judge).
        Assert.Equal(valid, PublishEnvelope.TryScanJson(frame, out var walked, walkMsg: true));
        if (valid)
        {
            Assert.True(walked.MsgValidated);
            new BodyDecoder(Context).Decode(walked, js);
            Assert.Equal([1.0], js.Position.ToArray());
        }
    }

    [Fact]
    public void Field_order_does_not_matter_for_the_envelope()
    {
        var frame = Encoding.UTF8.GetBytes("{\"msg\":{\"name\":[\"a\"],\"position\":[1]},\"id\":7,\"topic\":\"/joint_states\",\"op\":\"publish\"}");
        Assert.True(PublishEnvelope.TryScanJson(frame, out var envelope));
        Assert.Equal("/joint_states", Encoding.UTF8.GetString(envelope.Topic.Span));
        var js = new JointState();
        new BodyDecoder(Context).Decode(envelope, js);
        Assert.Equal(["a"], js.Name);
        Assert.Equal([1.0], js.Position.ToArray());
    }

    [Fact]
    public void Doubles_inside_a_frame_parse_to_the_runtime_parser_bits_for_every_digit_run_length()
    {
        // Inside a frame at least 16 bytes follow a number, so runs of digits are taken up to 16 at a
        // time (JsonCursor.ManyDigits); every run length on both sides of the point, leading zeros included.
        var random = new Random(23);
        var decoder = new BodyDecoder(Context);
        var target = new JointState();
        for (int trial = 0; trial < 3000; trial++)
        {
            int whole = random.Next(0, 20);
            int fraction = random.Next(whole == 0 ? 1 : 0, 20 - Math.Min(whole, 19) + 1);
            string Digits(int n, bool first) => new(Enumerable.Range(0, n).Select(k => (char)('0' + (k == 0 && first ? 1 + random.Next(9) : random.Next(10)))).ToArray());
            string text = (random.Next(2) == 0 ? "-" : "") + (whole == 0 ? "0" : Digits(whole, true)) + (fraction > 0 ? "." + Digits(fraction, false) : "");
            var frame = Encoding.UTF8.GetBytes($"{{\"op\":\"publish\",\"topic\":\"/t\",\"msg\":{{\"position\":[{text},{text},0.5,0.25,0.125]}}}}");
            Assert.True(PublishEnvelope.TryScanJson(frame, out var envelope));
            decoder.Decode(envelope, target);
            double expected = double.Parse(text, CultureInfo.InvariantCulture);
            Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(target.Position[0]), $"{text}: expected {expected:R}, got {target.Position[0]:R}");
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(target.Position[1]));
        }
    }

    [Fact]
    public void Doubles_parse_to_the_same_bits_as_the_runtime_parser()
    {
        var random = new Random(17);
        var cases = new List<string> { "0", "-0", "0.0", "-0.0", "1", "-1", "0.1", "9007199254740993", "0.30000000000000004",
            "123456789012345678.9", "0.0000000000000000000001", "1.7976931348623157e308", "1e400", "-1e400", "5e-324", "2.5E-3" };
        for (int i = 0; i < 20000; i++)
        {
            double d = (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-12, 12));
            cases.Add(d.ToString("R", CultureInfo.InvariantCulture));
            // Random digit strings up to 19 significant digits, with the point anywhere.
            int digits = 1 + random.Next(19);
            var text = new StringBuilder(random.Next(2) == 0 ? "-" : "");
            int point = random.Next(digits + 1);
            text.Append(point == 0 ? "0" : "");
            for (int k = 0; k < digits; k++)
            {
                if (k == point && k > 0)
                {
                    text.Append('.');
                }
                else if (k == point)
                {
                    text.Append('.');
                }
                text.Append((char)('0' + (k == 0 && point > 0 ? 1 + random.Next(9) : random.Next(10))));
            }
            cases.Add(text.ToString());
            // Exact ties between two doubles, (2M+1)/2^t with t decimals (17-19 digits), and their
            // neighbours one unit in the last digit away: where a candidate-and-check parser can go wrong.
            ulong m = (1UL << 52) + (ulong)random.NextInt64(1L << 52);
            int t = 1 + random.Next(3);
            var tie = (System.Numerics.BigInteger)(2 * m + 1) * System.Numerics.BigInteger.Pow(5, t);
            foreach (var digitsOf in new[] { tie, tie - 1, tie + 1 })
            {
                string whole = digitsOf.ToString(CultureInfo.InvariantCulture);
                cases.Add(whole[..^t] + "." + whole[^t..]);
            }
        }
        foreach (string text in cases)
        {
            var utf8 = Encoding.UTF8.GetBytes(text);
            double expected = double.Parse(text, CultureInfo.InvariantCulture);
            Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(JsonCursor.ParseDouble(utf8)),
                $"{text}: expected {expected:R}, got {JsonCursor.ParseDouble(utf8):R}");
        }
    }
}
