using RobotBridge.Ros.Serialization;

namespace RobotBridge.Ros.Messages;

/// <summary>control_msgs/JointTolerance.</summary>
public sealed class JointTolerance : IRosMessage
{
    public string Name { get; set; } = "";
    public double Position { get; set; }
    public double Velocity { get; set; }
    public double Acceleration { get; set; }

    public string RosType => "control_msgs/JointTolerance";

    public void Write(RosWriter w)
    {
        w.BeginMessage(4);
        w.Field("name"); w.String(Name);
        w.Field("position"); w.Double(Position);
        w.Field("velocity"); w.Double(Velocity);
        w.Field("acceleration"); w.Double(Acceleration);
        w.EndMessage();
    }

    public void Read(RosReader r)
    {
        Position = Velocity = Acceleration = 0;
        r.BeginMessage();
        while (r.NextField(out var f))
        {
            if (f.SequenceEqual("name"u8)) Name = r.ReadString(Name);
            else if (f.SequenceEqual("position"u8)) Position = r.ReadDouble();
            else if (f.SequenceEqual("velocity"u8)) Velocity = r.ReadDouble();
            else if (f.SequenceEqual("acceleration"u8)) Acceleration = r.ReadDouble();
            else r.UnknownField(f, RosType);
        }
    }
}

/// <summary>control_msgs/FollowJointTrajectoryGoal.</summary>
public sealed class FollowJointTrajectoryGoal : IActionPart
{
    public static string ActionType => "control_msgs/FollowJointTrajectory";
    public JointTrajectoryMsg Trajectory { get; } = new();
    public List<JointTolerance> PathTolerance { get; } = [];
    public List<JointTolerance> GoalTolerance { get; } = [];
    public RosTime GoalTimeTolerance { get; set; }

    public string RosType => "control_msgs/FollowJointTrajectoryGoal";

    public void Write(RosWriter w)
    {
        w.BeginMessage(4);
        w.Field("trajectory"); Trajectory.Write(w);
        w.Field("path_tolerance"); w.Messages(PathTolerance);
        w.Field("goal_tolerance"); w.Messages(GoalTolerance);
        w.Field("goal_time_tolerance"); w.Time(GoalTimeTolerance);
        w.EndMessage();
    }

    public void Read(RosReader r)
    {
        PathTolerance.Clear();
        GoalTolerance.Clear();
        GoalTimeTolerance = default;
        r.BeginMessage();
        while (r.NextField(out var f))
        {
            if (f.SequenceEqual("trajectory"u8)) Trajectory.Read(r);
            else if (f.SequenceEqual("path_tolerance"u8)) r.ReadMessages(PathTolerance);
            else if (f.SequenceEqual("goal_tolerance"u8)) r.ReadMessages(GoalTolerance);
            else if (f.SequenceEqual("goal_time_tolerance"u8)) GoalTimeTolerance = r.ReadTime();
            else r.UnknownField(f, RosType);
        }
    }
}

/// <summary>control_msgs/FollowJointTrajectoryResult. error_code 0 = SUCCESSFUL, -1 INVALID_GOAL,
/// -2 INVALID_JOINTS, -3 OLD_HEADER_TIMESTAMP, -4 PATH_TOLERANCE_VIOLATED, -5 GOAL_TOLERANCE_VIOLATED.</summary>
public sealed class FollowJointTrajectoryResult : IActionPart
{
    public static string ActionType => FollowJointTrajectoryGoal.ActionType;
    public int ErrorCode { get; set; }
    public string ErrorString { get; set; } = "";

    public string RosType => "control_msgs/FollowJointTrajectoryResult";

    public void Write(RosWriter w)
    {
        w.BeginMessage(2);
        w.Field("error_code"); w.Int(ErrorCode);
        w.Field("error_string"); w.String(ErrorString);
        w.EndMessage();
    }

    public void Read(RosReader r)
    {
        ErrorCode = 0;
        ErrorString = "";
        r.BeginMessage();
        while (r.NextField(out var f))
        {
            if (f.SequenceEqual("error_code"u8)) ErrorCode = checked((int)r.ReadInt());
            else if (f.SequenceEqual("error_string"u8)) ErrorString = r.ReadString();
            else r.UnknownField(f, RosType);
        }
    }
}

/// <summary>control_msgs/FollowJointTrajectoryFeedback.</summary>
public sealed class FollowJointTrajectoryFeedback : IActionPart
{
    public static string ActionType => FollowJointTrajectoryGoal.ActionType;
    public Header Header { get; } = new();
    public List<string> JointNames { get; } = [];
    public JointTrajectoryPoint Desired { get; } = new();
    public JointTrajectoryPoint Actual { get; } = new();
    public JointTrajectoryPoint Error { get; } = new();

    public string RosType => "control_msgs/FollowJointTrajectoryFeedback";

    public void Write(RosWriter w)
    {
        w.BeginMessage(5);
        w.Field("header"); Header.Write(w);
        w.Field("joint_names"); w.StringArray(JointNames);
        w.Field("desired"); Desired.Write(w);
        w.Field("actual"); Actual.Write(w);
        w.Field("error"); Error.Write(w);
        w.EndMessage();
    }

    public void Read(RosReader r)
    {
        r.BeginMessage();
        while (r.NextField(out var f))
        {
            if (f.SequenceEqual("header"u8)) Header.Read(r);
            else if (f.SequenceEqual("joint_names"u8)) r.ReadStringArray(JointNames);
            else if (f.SequenceEqual("desired"u8)) Desired.Read(r);
            else if (f.SequenceEqual("actual"u8)) Actual.Read(r);
            else if (f.SequenceEqual("error"u8)) Error.Read(r);
            else r.UnknownField(f, RosType);
        }
    }
}

/// <summary>control_msgs/GripperCommandGoal: command.position is the finger separation (m),
/// command.max_effort the squeeze force limit (N).</summary>
public sealed class GripperCommandGoal : IActionPart
{
    public static string ActionType => "control_msgs/GripperCommand";
    public double Position { get; set; }
    public double MaxEffort { get; set; }

    public string RosType => "control_msgs/GripperCommandGoal";

    public void Write(RosWriter w)
    {
        w.BeginMessage(1);
        w.Field("command");
        w.BeginMessage(2);
        w.Field("position"); w.Double(Position);
        w.Field("max_effort"); w.Double(MaxEffort);
        w.EndMessage();
        w.EndMessage();
    }

    public void Read(RosReader r)
    {
        Position = MaxEffort = 0;
        r.BeginMessage();
        while (r.NextField(out var f))
        {
            if (!f.SequenceEqual("command"u8))
            {
                r.UnknownField(f, RosType);
                continue;
            }
            r.BeginMessage();
            while (r.NextField(out var g))
            {
                if (g.SequenceEqual("position"u8)) Position = r.ReadDouble();
                else if (g.SequenceEqual("max_effort"u8)) MaxEffort = r.ReadDouble();
                else r.UnknownField(g, "control_msgs/GripperCommand");
            }
        }
    }
}

/// <summary>control_msgs/GripperCommandResult; the feedback message has the same fields.</summary>
public class GripperCommandResult : IActionPart
{
    public static string ActionType => GripperCommandGoal.ActionType;
    public double Position { get; set; }
    public double Effort { get; set; }
    public bool Stalled { get; set; }
    public bool ReachedGoal { get; set; }

    public virtual string RosType => "control_msgs/GripperCommandResult";

    public void Write(RosWriter w)
    {
        w.BeginMessage(4);
        w.Field("position"); w.Double(Position);
        w.Field("effort"); w.Double(Effort);
        w.Field("stalled"); w.Bool(Stalled);
        w.Field("reached_goal"); w.Bool(ReachedGoal);
        w.EndMessage();
    }

    public void Read(RosReader r)
    {
        Position = Effort = 0;
        Stalled = ReachedGoal = false;
        r.BeginMessage();
        while (r.NextField(out var f))
        {
            if (f.SequenceEqual("position"u8)) Position = r.ReadDouble();
            else if (f.SequenceEqual("effort"u8)) Effort = r.ReadDouble();
            else if (f.SequenceEqual("stalled"u8)) Stalled = r.ReadBool();
            else if (f.SequenceEqual("reached_goal"u8)) ReachedGoal = r.ReadBool();
            else r.UnknownField(f, RosType);
        }
    }
}

/// <summary>control_msgs/GripperCommandFeedback.</summary>
public sealed class GripperCommandFeedback : GripperCommandResult
{
    public override string RosType => "control_msgs/GripperCommandFeedback";
}

/// <summary>control_msgs/PointHeadGoal (the Fetch's head_controller/point_head).</summary>
public sealed class PointHeadGoal : IActionPart
{
    public static string ActionType => "control_msgs/PointHead";
    public PointStamped Target { get; } = new();
    public Vector3 PointingAxis { get; } = new();
    public string PointingFrame { get; set; } = "";
    public RosTime MinDuration { get; set; }
    public double MaxVelocity { get; set; }

    public string RosType => "control_msgs/PointHeadGoal";

    public void Write(RosWriter w)
    {
        w.BeginMessage(5);
        w.Field("target"); Target.Write(w);
        w.Field("pointing_axis"); PointingAxis.Write(w);
        w.Field("pointing_frame"); w.String(PointingFrame);
        w.Field("min_duration"); w.Time(MinDuration);
        w.Field("max_velocity"); w.Double(MaxVelocity);
        w.EndMessage();
    }

    public void Read(RosReader r)
    {
        MinDuration = default;
        MaxVelocity = 0;
        r.BeginMessage();
        while (r.NextField(out var f))
        {
            if (f.SequenceEqual("target"u8)) Target.Read(r);
            else if (f.SequenceEqual("pointing_axis"u8)) PointingAxis.Read(r);
            else if (f.SequenceEqual("pointing_frame"u8)) PointingFrame = r.ReadString(PointingFrame);
            else if (f.SequenceEqual("min_duration"u8)) MinDuration = r.ReadTime();
            else if (f.SequenceEqual("max_velocity"u8)) MaxVelocity = r.ReadDouble();
            else r.UnknownField(f, RosType);
        }
    }
}
