using System.Text;
using RobotBridge.Ros.Messages;
using RobotBridge.Ros.Protocol;

namespace RobotBridge.Ros.Tests.Rosbridge;

/// <summary>Malformed, truncated and bit-flipped frames: the decoders either succeed or raise a
/// <see cref="RosbridgeFormatException"/> with a reason, and nothing else ever escapes.</summary>
public class DecoderFuzzTests
{
    private static byte[] ValidJsonFrame()
    {
        var js = new JointState();
        js.Name.AddRange(["a", "b", "c"]);
        js.Position.CopyFrom([1, 2, 3]);
        js.Velocity.CopyFrom([0.5, 0.25, 0]);
        using var body = Frames.JsonBody(js, RosDialect.Ros1);
        using var frame = Frames.JsonPublish("/joint_states", body.Memory.Span);
        return frame.Memory.ToArray();
    }

    private static byte[] ValidCborFrame()
    {
        var image = new Image { Width = 4, Height = 2, Encoding = "rgb8", Step = 12 };
        image.Data.CopyFrom(Enumerable.Range(0, 24).Select(i => (byte)i).ToArray());
        using var frame = Frames.CborPublish("/head_camera/rgb/image_raw", Frames.CborBody(image, RosDialect.Ros1));
        return frame.Memory.ToArray();
    }

    private static int Decode(byte[] frame, bool cbor, IRosMessage target)
    {
        try
        {
            using var msg = cbor ? IncomingMessage.ParseCbor(frame) : IncomingMessage.ParseJson(frame);
            msg.TryReadBody("msg", target, strict: false);
            return 1;
        }
        catch (RosbridgeFormatException e)
        {
            Assert.False(string.IsNullOrWhiteSpace(e.Message));
            return 0;
        }
    }

    [Fact]
    public void Every_truncation_of_a_json_frame_fails_cleanly()
    {
        var frame = ValidJsonFrame();
        Assert.Equal(1, Decode(frame, false, new JointState()));
        int rejected = 0;
        for (int n = 0; n < frame.Length; n++)
        {
            rejected += 1 - Decode(frame[..n], false, new JointState());
        }
        Assert.Equal(frame.Length, rejected);
    }

    [Fact]
    public void Every_truncation_of_a_cbor_frame_fails_cleanly()
    {
        var frame = ValidCborFrame();
        Assert.Equal(1, Decode(frame, true, new Image()));
        int rejected = 0;
        for (int n = 0; n < frame.Length; n++)
        {
            rejected += 1 - Decode(frame[..n], true, new Image());
        }
        Assert.Equal(frame.Length, rejected);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Random_byte_mutations_never_escape_as_anything_but_format_errors(bool cbor)
    {
        var valid = cbor ? ValidCborFrame() : ValidJsonFrame();
        var random = new Random(1234);
        int rejected = 0;
        for (int trial = 0; trial < 3000; trial++)
        {
            var frame = (byte[])valid.Clone();
            int flips = 1 + random.Next(4);
            for (int k = 0; k < flips; k++)
            {
                frame[random.Next(frame.Length)] = (byte)random.Next(256);
            }
            rejected += 1 - Decode(frame, cbor, cbor ? new Image() : new JointState());
        }
        Assert.True(rejected > 100, $"only {rejected} of 3000 mutated frames were rejected: the fuzz is not reaching the decoder");
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("42")]
    [InlineData("{\"topic\":\"/x\"}")]
    [InlineData("{\"op\":7}")]
    [InlineData("{\"op\":\"publish\",\"msg\":{\"position\":\"abc\"}}")]
    [InlineData("{\"op\":\"publish\",\"msg\":{\"name\":[1,2]}}")]
    [InlineData("{\"op\":\"publish\",\"msg\":{\"position\":[1,{}]}}")]
    [InlineData("{\"op\":\"publish\",\"msg\":{\"header\":{\"stamp\":{\"secs\":99999999999}}}}")]
    public void Malformed_json_frames_say_what_was_wrong(string text)
    {
        var e = Record.Exception(() =>
        {
            using var msg = IncomingMessage.ParseJson(Encoding.UTF8.GetBytes(text));
            msg.TryReadBody("msg", new JointState());
        });
        var format = Assert.IsType<RosbridgeFormatException>(e);
        Assert.Matches("JSON|op|field|object|integer", format.Message);
    }
}
