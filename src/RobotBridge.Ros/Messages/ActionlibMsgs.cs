using RobotBridge.Ros.Serialization;

namespace RobotBridge.Ros.Messages;

/// <summary>actionlib_msgs/GoalID. Empty id and zero stamp in a cancel mean "cancel every goal".</summary>
public sealed class GoalId : IRosMessage
{
    public RosTime Stamp { get; set; }
    public string Id { get; set; } = "";

    public string RosType => "actionlib_msgs/GoalID";

    public void Write(RosWriter w)
    {
        w.BeginMessage(2);
        w.Field("stamp"); w.Time(Stamp);
        w.Field("id"); w.String(Id);
        w.EndMessage();
    }

    public void Read(RosReader r)
    {
        Stamp = default;
        Id = "";
        r.BeginMessage();
        while (r.NextField(out var f))
        {
            if (f.SequenceEqual("stamp"u8)) Stamp = r.ReadTime();
            else if (f.SequenceEqual("id"u8)) Id = r.ReadString();
            else r.UnknownField(f, RosType);
        }
    }
}

/// <summary>actionlib_msgs/GoalStatus status codes (ROS 1).</summary>
public static class GoalStatusCode
{
    public const byte Pending = 0, Active = 1, Preempted = 2, Succeeded = 3, Aborted = 4, Rejected = 5,
        Preempting = 6, Recalling = 7, Recalled = 8, Lost = 9;

    public static bool IsTerminal(byte status) =>
        status is Preempted or Succeeded or Aborted or Rejected or Recalled or Lost;

    /// <summary>The status as actionlib names it, with its code: "RECALLED (8)".</summary>
    public static string Name(byte status) => status switch
    {
        Pending => "PENDING (0)",
        Active => "ACTIVE (1)",
        Preempted => "PREEMPTED (2)",
        Succeeded => "SUCCEEDED (3)",
        Aborted => "ABORTED (4)",
        Rejected => "REJECTED (5)",
        Preempting => "PREEMPTING (6)",
        Recalling => "RECALLING (7)",
        Recalled => "RECALLED (8)",
        Lost => "LOST (9)",
        _ => $"unknown status {status}",
    };
}

/// <summary>actionlib_msgs/GoalStatus.</summary>
public sealed class GoalStatus : IRosMessage
{
    public GoalId GoalId { get; } = new();
    public byte Status { get; set; }
    public string Text { get; set; } = "";

    public string RosType => "actionlib_msgs/GoalStatus";

    public void Write(RosWriter w)
    {
        w.BeginMessage(3);
        w.Field("goal_id"); GoalId.Write(w);
        w.Field("status"); w.UInt(Status);
        w.Field("text"); w.String(Text);
        w.EndMessage();
    }

    public void Read(RosReader r)
    {
        Status = 0;
        Text = "";
        r.BeginMessage();
        while (r.NextField(out var f))
        {
            if (f.SequenceEqual("goal_id"u8)) GoalId.Read(r);
            else if (f.SequenceEqual("status"u8)) Status = checked((byte)r.ReadUInt());
            else if (f.SequenceEqual("text"u8)) Text = r.ReadString();
            else r.UnknownField(f, RosType);
        }
    }
}

/// <summary>actionlib_msgs/GoalStatusArray (an action server's <c>status</c> topic).</summary>
public sealed class GoalStatusArray : IRosMessage
{
    public Header Header { get; } = new();
    public List<GoalStatus> StatusList { get; } = [];

    public string RosType => "actionlib_msgs/GoalStatusArray";

    public void Write(RosWriter w)
    {
        w.BeginMessage(2);
        w.Field("header"); Header.Write(w);
        w.Field("status_list"); w.Messages(StatusList);
        w.EndMessage();
    }

    public void Read(RosReader r)
    {
        StatusList.Clear();
        r.BeginMessage();
        while (r.NextField(out var f))
        {
            if (f.SequenceEqual("header"u8)) Header.Read(r);
            else if (f.SequenceEqual("status_list"u8)) r.ReadMessages(StatusList);
            else r.UnknownField(f, RosType);
        }
    }
}

/// <summary>The actionlib <c>…ActionGoal</c> wrapper published on <c>&lt;server&gt;/goal</c>.</summary>
public sealed class ActionGoal<TGoal> : IRosMessage where TGoal : IActionPart, new()
{
    public Header Header { get; } = new();
    public GoalId GoalId { get; } = new();
    public TGoal Goal { get; } = new();

    public string RosType => TGoal.ActionType + "ActionGoal";

    public void Write(RosWriter w)
    {
        w.BeginMessage(3);
        w.Field("header"); Header.Write(w);
        w.Field("goal_id"); GoalId.Write(w);
        w.Field("goal"); Goal.Write(w);
        w.EndMessage();
    }

    public void Read(RosReader r)
    {
        r.BeginMessage();
        while (r.NextField(out var f))
        {
            if (f.SequenceEqual("header"u8)) Header.Read(r);
            else if (f.SequenceEqual("goal_id"u8)) GoalId.Read(r);
            else if (f.SequenceEqual("goal"u8)) Goal.Read(r);
            else r.UnknownField(f, RosType);
        }
    }
}

/// <summary>The actionlib <c>…ActionResult</c> (<c>&lt;server&gt;/result</c>) and <c>…ActionFeedback</c>
/// (<c>&lt;server&gt;/feedback</c>) wrappers: header, status and the payload.</summary>
public abstract class ActionStatusWrapper<TPayload> : IRosMessage where TPayload : IActionPart, new()
{
    public Header Header { get; } = new();
    public GoalStatus Status { get; } = new();
    public TPayload Payload { get; } = new();

    /// <summary>"result" or "feedback".</summary>
    protected abstract string PayloadField { get; }

    public string RosType => TPayload.ActionType + (PayloadField == "feedback" ? "ActionFeedback" : "ActionResult");

    public void Write(RosWriter w)
    {
        w.BeginMessage(3);
        w.Field("header"); Header.Write(w);
        w.Field("status"); Status.Write(w);
        w.Field(PayloadField); Payload.Write(w);
        w.EndMessage();
    }

    public void Read(RosReader r)
    {
        r.BeginMessage();
        while (r.NextField(out var f))
        {
            if (f.SequenceEqual("header"u8)) Header.Read(r);
            else if (f.SequenceEqual("status"u8)) Status.Read(r);
            else if (f.SequenceEqual("result"u8) || f.SequenceEqual("feedback"u8)) Payload.Read(r);
            else r.UnknownField(f, RosType);
        }
    }
}

/// <summary><c>…ActionResult</c> on <c>&lt;server&gt;/result</c>.</summary>
public sealed class ActionResult<TResult> : ActionStatusWrapper<TResult> where TResult : IActionPart, new()
{
    protected override string PayloadField => "result";
}

/// <summary><c>…ActionFeedback</c> on <c>&lt;server&gt;/feedback</c>.</summary>
public sealed class ActionFeedback<TFeedback> : ActionStatusWrapper<TFeedback> where TFeedback : IActionPart, new()
{
    protected override string PayloadField => "feedback";
}
