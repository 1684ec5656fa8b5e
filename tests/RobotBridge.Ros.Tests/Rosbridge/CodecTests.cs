using System.Formats.Cbor;
using System.Text;
using RobotBridge.Ros.Messages;
using RobotBridge.Ros.Protocol;
using RobotBridge.Ros.Serialization;

namespace RobotBridge.Ros.Tests.Rosbridge;

public class CodecTests
{
    private static JointState SampleJointState()
    {
        var js = new JointState();
        js.Header.Seq = 7;
        js.Header.Stamp = new RosTime(12, 345);
        js.Header.FrameId = "base_link";
        js.Name.AddRange(["shoulder_pan_joint", "elbow_flex_joint"]);
        js.Position.CopyFrom([0.5, -1.25]);
        js.Velocity.CopyFrom([0.0, 0.1]);
        js.Effort.CopyFrom([double.NaN, 3.0]);
        return js;
    }

    private static T RoundTripJson<T>(T message, RosDialect dialect) where T : IRosMessage, new()
    {
        using var body = Frames.JsonBody(message, dialect);
        using var doc = System.Text.Json.JsonDocument.Parse(body.Memory);
        var back = new T();
        back.Read(new JsonRosReader(doc.RootElement) { Strict = true });
        return back;
    }

    private static T RoundTripCbor<T>(T message, RosDialect dialect) where T : IRosMessage, new()
    {
        var bytes = Frames.CborBody(message, dialect);
        var back = new T();
        back.Read(new CborRosReader(new CborReader(bytes)) { Strict = true });
        return back;
    }

    [Theory]
    [InlineData(RosDialect.Ros1, false)]
    [InlineData(RosDialect.Ros2, false)]
    [InlineData(RosDialect.Ros1, true)]
    [InlineData(RosDialect.Ros2, true)]
    public void JointState_round_trips_in_both_encodings_and_dialects(RosDialect dialect, bool cbor)
    {
        var js = SampleJointState();
        var back = cbor ? RoundTripCbor(js, dialect) : RoundTripJson(js, dialect);
        Assert.Equal(js.Name, back.Name);
        Assert.Equal([0.5, -1.25], back.Position.ToArray());
        Assert.Equal([0.0, 0.1], back.Velocity.ToArray());
        Assert.True(double.IsNaN(back.Effort[0]), "NaN travels as null in JSON and as a NaN float in CBOR");
        Assert.Equal(new RosTime(12, 345), back.Header.Stamp);
        Assert.Equal(dialect == RosDialect.Ros1 ? 7u : 0u, back.Header.Seq);
    }

    [Fact]
    public void Time_fields_are_spelled_per_dialect()
    {
        var header = new Header { Stamp = new RosTime(3, 4) };
        using var ros1 = Frames.JsonBody(header, RosDialect.Ros1);
        using var ros2 = Frames.JsonBody(header, RosDialect.Ros2);
        Assert.Equal("""{"seq":0,"stamp":{"secs":3,"nsecs":4},"frame_id":""}""", Encoding.UTF8.GetString(ros1.Memory.Span));
        Assert.Equal("""{"stamp":{"sec":3,"nanosec":4},"frame_id":""}""", Encoding.UTF8.GetString(ros2.Memory.Span));
    }

    [Fact]
    public void Cbor_numeric_arrays_use_rosbridge_typed_array_tags()
    {
        var point = new JointTrajectoryPoint();
        point.Positions.CopyFrom([1.5, 2.5]);
        var bytes = Frames.CborBody(point, RosDialect.Ros1);
        // tag(86) float64 LE, bytes(16) = 1.5, 2.5 — the layout rosbridge's encoder produces (reference §4.2).
        byte[] expected = [0xd8, 0x56, 0x50, 0, 0, 0, 0, 0, 0, 0xf8, 0x3f, 0, 0, 0, 0, 0, 0, 0x04, 0x40];
        Assert.True(bytes.AsSpan().IndexOf(expected) > 0, Convert.ToHexString(bytes));
    }

    [Fact]
    public void Cbor_reader_converts_float32_typed_arrays_and_half_floats()
    {
        var cbor = new CborWriter();
        cbor.WriteStartMap(2);
        cbor.WriteTextString("position");
        cbor.WriteTag(CborTypedArrays.Float32);
        cbor.WriteByteString([.. BitConverter.GetBytes(0.5f), .. BitConverter.GetBytes(-2f)]);
        cbor.WriteTextString("name");
        cbor.WriteStartArray(2);
        cbor.WriteTextString("a");
        cbor.WriteTextString("b");
        cbor.WriteEndArray();
        cbor.WriteEndMap();
        var js = new JointState();
        js.Read(new CborRosReader(new CborReader(cbor.Encode())));
        Assert.Equal([0.5, -2.0], js.Position.ToArray());
        Assert.Equal(["a", "b"], js.Name);
    }

    [Fact]
    public void Image_data_decodes_from_base64_into_the_pooled_buffer()
    {
        var image = new Image { Width = 2, Height = 1, Encoding = "rgb8", Step = 6 };
        image.Data.CopyFrom([1, 2, 3, 250, 251, 252]);
        var json = RoundTripJson(image, RosDialect.Ros1);
        var cbor = RoundTripCbor(image, RosDialect.Ros2);
        Assert.Equal(image.Data.ToArray(), json.Data.ToArray());
        Assert.Equal(image.Data.ToArray(), cbor.Data.ToArray());
        Assert.Equal("rgb8", json.Encoding);
    }

    [Fact]
    public void Image_data_also_accepts_an_array_of_ints()
    {
        using var msg = IncomingMessage.ParseJson(Encoding.UTF8.GetBytes(
            """{"op":"publish","topic":"/i","msg":{"width":1,"height":1,"encoding":"mono8","data":[7]}}"""));
        var image = new Image();
        Assert.True(msg.TryReadBody("msg", image));
        Assert.Equal([7], image.Data.ToArray());
    }

    [Fact]
    public void Bare_NaN_and_Infinity_tokens_from_rosbridge2_are_tolerated()
    {
        using var msg = IncomingMessage.ParseJson(Encoding.UTF8.GetBytes(
            """{"op":"publish","topic":"/imu","msg":{"orientation_covariance":[NaN,Infinity,-Infinity,0,0,0,0,0,1],"orientation":{"x":0,"y":0,"z":0,"w":1}}}"""));
        var imu = new Imu();
        Assert.True(msg.TryReadBody("msg", imu));
        Assert.True(double.IsNaN(imu.OrientationCovariance[0]));
        Assert.Equal(double.PositiveInfinity, imu.OrientationCovariance[1]);
        Assert.Equal(double.NegativeInfinity, imu.OrientationCovariance[2]);
        Assert.Equal(1.0, imu.Orientation.W);
    }

    [Fact]
    public void Integral_fields_written_as_floats_are_rejected_naming_the_field()
    {
        using var msg = IncomingMessage.ParseJson(Encoding.UTF8.GetBytes(
            """{"op":"publish","topic":"/i","msg":{"width":640.0}}"""));
        var e = Assert.Throws<RosbridgeFormatException>(() => msg.TryReadBody("msg", new Image()));
        Assert.Contains("width", e.Message);
        Assert.Contains("integer", e.Message);
    }

    [Fact]
    public void Strict_reading_rejects_unknown_fields_and_lenient_reading_skips_them()
    {
        byte[] frame = Encoding.UTF8.GetBytes("""{"op":"publish","topic":"/b","msg":{"data":true,"bogus":[1,{"x":2}]}}""");
        using var msg = IncomingMessage.ParseJson(frame);
        var e = Assert.Throws<RosbridgeFormatException>(() => msg.TryReadBody("msg", new BoolMsg(), strict: true));
        Assert.Contains("bogus", e.Message);
        var b = new BoolMsg();
        msg.TryReadBody("msg", b);
        Assert.True(b.Data);
    }

    [Fact]
    public void Missing_fields_keep_defaults_even_when_the_instance_is_reused()
    {
        var twist = new TwistMsg();
        twist.Linear.X = 5;
        using var msg = IncomingMessage.ParseJson(Encoding.UTF8.GetBytes("""{"op":"publish","topic":"/t","msg":{"angular":{"z":1}}}"""));
        msg.TryReadBody("msg", twist);
        Assert.Equal(0, twist.Linear.X);
        Assert.Equal(1, twist.Angular.Z);
    }

    [Fact]
    public void Ros2_type_names_get_the_msg_segment_and_ros1_names_stay_two_segments()
    {
        Assert.Equal("sensor_msgs/msg/JointState", RosDialect.Ros2.TypeName("sensor_msgs/JointState"));
        Assert.Equal("control_msgs/action/FollowJointTrajectory", RosDialect.Ros2.TypeName("control_msgs/FollowJointTrajectory", "action"));
        Assert.Equal("sensor_msgs/JointState", RosDialect.Ros1.TypeName("sensor_msgs/JointState"));
        Assert.Equal("sensor_msgs/JointState", RosDialectExtensions.TwoSegment("sensor_msgs/msg/JointState"));
    }

    [Fact]
    public void Cbor_publish_frame_parses_with_msg_before_topic()
    {
        var body = Frames.CborBody(SampleJointState(), RosDialect.Ros2);
        var cbor = new CborWriter();
        cbor.WriteStartMap(3);
        cbor.WriteTextString("msg");
        cbor.WriteEncodedValue(body);
        cbor.WriteTextString("topic");
        cbor.WriteTextString("/joint_states");
        cbor.WriteTextString("op");
        cbor.WriteTextString("publish");
        cbor.WriteEndMap();
        using var msg = IncomingMessage.ParseCbor(cbor.Encode());
        Assert.Equal("publish", msg.Op);
        Assert.Equal("/joint_states", msg.GetString("topic"));
        var js = new JointState();
        Assert.True(msg.TryReadBody("msg", js));
        Assert.Equal(2, js.Name.Count);
    }
}
