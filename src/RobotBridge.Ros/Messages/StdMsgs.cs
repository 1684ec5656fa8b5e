using RobotBridge.Ros.Protocol;
using RobotBridge.Ros.Serialization;

namespace RobotBridge.Ros.Messages;

/// <summary>std_msgs/Header. ROS 1 carries <c>seq</c>; ROS 2 does not.</summary>
public sealed class Header : IRosMessage
{
    public uint Seq { get; set; }
    public RosTime Stamp { get; set; }
    public string FrameId { get; set; } = "";

    public string RosType => "std_msgs/Header";

    public void Write(RosWriter w)
    {
        bool ros1 = w.Dialect == RosDialect.Ros1;
        w.BeginMessage(ros1 ? 3 : 2);
        if (ros1)
        {
            w.Field("seq");
            w.UInt(Seq);
        }
        w.Field("stamp");
        w.Time(Stamp);
        w.Field("frame_id");
        w.String(FrameId);
        w.EndMessage();
    }

    public void Read(RosReader r)
    {
        Seq = 0;
        Stamp = default;
        string previous = FrameId;
        FrameId = "";
        r.BeginMessage();
        while (r.NextField(out var f))
        {
            if (f.SequenceEqual("seq"u8)) Seq = (uint)r.ReadUInt();
            else if (f.SequenceEqual("stamp"u8)) Stamp = r.ReadTime();
            else if (f.SequenceEqual("frame_id"u8)) FrameId = r.ReadString(previous);
            else r.UnknownField(f, RosType);
        }
    }
}

/// <summary>std_msgs/Bool (also the Fetch's /enable_software_runstop).</summary>
public sealed class BoolMsg : IRosMessage
{
    public bool Data { get; set; }
    public string RosType => "std_msgs/Bool";

    public void Write(RosWriter w)
    {
        w.BeginMessage(1);
        w.Field("data");
        w.Bool(Data);
        w.EndMessage();
    }

    public void Read(RosReader r)
    {
        Data = false;
        r.BeginMessage();
        while (r.NextField(out var f))
        {
            if (f.SequenceEqual("data"u8)) Data = r.ReadBool();
            else r.UnknownField(f, RosType);
        }
    }
}

/// <summary>std_msgs/Float64.</summary>
public sealed class Float64Msg : IRosMessage
{
    public double Data { get; set; }
    public string RosType => "std_msgs/Float64";

    public void Write(RosWriter w)
    {
        w.BeginMessage(1);
        w.Field("data");
        w.Double(Data);
        w.EndMessage();
    }

    public void Read(RosReader r)
    {
        Data = 0;
        r.BeginMessage();
        while (r.NextField(out var f))
        {
            if (f.SequenceEqual("data"u8)) Data = r.ReadDouble();
            else r.UnknownField(f, RosType);
        }
    }
}

/// <summary>std_msgs/Int32.</summary>
public sealed class Int32Msg : IRosMessage
{
    public int Data { get; set; }
    public string RosType => "std_msgs/Int32";

    public void Write(RosWriter w)
    {
        w.BeginMessage(1);
        w.Field("data");
        w.Int(Data);
        w.EndMessage();
    }

    public void Read(RosReader r)
    {
        Data = 0;
        r.BeginMessage();
        while (r.NextField(out var f))
        {
            if (f.SequenceEqual("data"u8)) Data = checked((int)r.ReadInt());
            else r.UnknownField(f, RosType);
        }
    }
}

/// <summary>std_msgs/String.</summary>
public sealed class StringMsg : IRosMessage
{
    public string Data { get; set; } = "";
    public string RosType => "std_msgs/String";

    public void Write(RosWriter w)
    {
        w.BeginMessage(1);
        w.Field("data");
        w.String(Data);
        w.EndMessage();
    }

    public void Read(RosReader r)
    {
        Data = "";
        r.BeginMessage();
        while (r.NextField(out var f))
        {
            if (f.SequenceEqual("data"u8)) Data = r.ReadString();
            else r.UnknownField(f, RosType);
        }
    }
}

/// <summary>std_msgs/Empty; also the request and response of std_srvs/Empty.</summary>
public sealed class EmptyMsg : IRosMessage
{
    public string RosType => "std_msgs/Empty";

    public void Write(RosWriter w)
    {
        w.BeginMessage(0);
        w.EndMessage();
    }

    public void Read(RosReader r)
    {
        r.BeginMessage();
        while (r.NextField(out var f))
        {
            r.UnknownField(f, RosType);
        }
    }
}
