using RobotBridge.Ros.Serialization;

namespace RobotBridge.Ros.Messages;

/// <summary>std_srvs/SetBool request.</summary>
public sealed class SetBoolRequest : IRosMessage
{
    public bool Data { get; set; }
    public string RosType => "std_srvs/SetBoolRequest";

    public void Write(RosWriter w)
    {
        w.BeginMessage(1);
        w.Field("data"); w.Bool(Data);
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

/// <summary>Response of std_srvs/Trigger and std_srvs/SetBool.</summary>
public sealed class TriggerResponse : IRosMessage
{
    public bool Success { get; set; }
    public string Message { get; set; } = "";
    public string RosType => "std_srvs/TriggerResponse";

    public void Write(RosWriter w)
    {
        w.BeginMessage(2);
        w.Field("success"); w.Bool(Success);
        w.Field("message"); w.String(Message);
        w.EndMessage();
    }

    public void Read(RosReader r)
    {
        Success = false;
        Message = "";
        r.BeginMessage();
        while (r.NextField(out var f))
        {
            if (f.SequenceEqual("success"u8)) Success = r.ReadBool();
            else if (f.SequenceEqual("message"u8)) Message = r.ReadString();
            else r.UnknownField(f, RosType);
        }
    }
}

/// <summary>rosapi/TopicType request ({topic}); the server's answer to "is this topic there and what is it".</summary>
public sealed class TopicTypeRequest : IRosMessage
{
    public string Topic { get; set; } = "";
    public string RosType => "rosapi/TopicTypeRequest";

    public void Write(RosWriter w)
    {
        w.BeginMessage(1);
        w.Field("topic"); w.String(Topic);
        w.EndMessage();
    }

    public void Read(RosReader r)
    {
        Topic = "";
        r.BeginMessage();
        while (r.NextField(out var f))
        {
            if (f.SequenceEqual("topic"u8)) Topic = r.ReadString();
            else r.UnknownField(f, RosType);
        }
    }
}

/// <summary>rosapi/TopicType response ({type}, empty when the topic is unknown).</summary>
public sealed class TopicTypeResponse : IRosMessage
{
    public string Type { get; set; } = "";
    public string RosType => "rosapi/TopicTypeResponse";

    public void Write(RosWriter w)
    {
        w.BeginMessage(1);
        w.Field("type"); w.String(Type);
        w.EndMessage();
    }

    public void Read(RosReader r)
    {
        Type = "";
        r.BeginMessage();
        while (r.NextField(out var f))
        {
            if (f.SequenceEqual("type"u8)) Type = r.ReadString();
            else r.UnknownField(f, RosType);
        }
    }
}

/// <summary>rosapi/Topics response ({topics, types}).</summary>
public sealed class TopicsResponse : IRosMessage
{
    public List<string> Topics { get; } = [];
    public List<string> Types { get; } = [];
    public string RosType => "rosapi/TopicsResponse";

    public void Write(RosWriter w)
    {
        w.BeginMessage(2);
        w.Field("topics"); w.StringArray(Topics);
        w.Field("types"); w.StringArray(Types);
        w.EndMessage();
    }

    public void Read(RosReader r)
    {
        Topics.Clear();
        Types.Clear();
        r.BeginMessage();
        while (r.NextField(out var f))
        {
            if (f.SequenceEqual("topics"u8)) r.ReadStringArray(Topics);
            else if (f.SequenceEqual("types"u8)) r.ReadStringArray(Types);
            else r.UnknownField(f, RosType);
        }
    }
}
