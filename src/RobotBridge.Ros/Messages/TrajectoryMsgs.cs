using RobotBridge.Ros.Serialization;

namespace RobotBridge.Ros.Messages;

/// <summary>trajectory_msgs/JointTrajectoryPoint.</summary>
public sealed class JointTrajectoryPoint : IRosMessage, IDisposable
{
    public PooledArray<double> Positions { get; } = new();
    public PooledArray<double> Velocities { get; } = new();
    public PooledArray<double> Accelerations { get; } = new();
    public PooledArray<double> Effort { get; } = new();
    public RosTime TimeFromStart { get; set; }

    public string RosType => "trajectory_msgs/JointTrajectoryPoint";

    public void Write(RosWriter w)
    {
        w.BeginMessage(5);
        w.Field("positions"); w.Numbers<double>(Positions.Span);
        w.Field("velocities"); w.Numbers<double>(Velocities.Span);
        w.Field("accelerations"); w.Numbers<double>(Accelerations.Span);
        w.Field("effort"); w.Numbers<double>(Effort.Span);
        w.Field("time_from_start"); w.Time(TimeFromStart);
        w.EndMessage();
    }

    public void Read(RosReader r)
    {
        Positions.Clear();
        Velocities.Clear();
        Accelerations.Clear();
        Effort.Clear();
        TimeFromStart = default;
        r.BeginMessage();
        while (r.NextField(out var f))
        {
            if (f.SequenceEqual("positions"u8)) r.ReadNumbers(Positions);
            else if (f.SequenceEqual("velocities"u8)) r.ReadNumbers(Velocities);
            else if (f.SequenceEqual("accelerations"u8)) r.ReadNumbers(Accelerations);
            else if (f.SequenceEqual("effort"u8)) r.ReadNumbers(Effort);
            else if (f.SequenceEqual("time_from_start"u8)) TimeFromStart = r.ReadTime();
            else r.UnknownField(f, RosType);
        }
    }

    public void Dispose()
    {
        Positions.Dispose();
        Velocities.Dispose();
        Accelerations.Dispose();
        Effort.Dispose();
    }
}

/// <summary>trajectory_msgs/JointTrajectory.</summary>
public sealed class JointTrajectoryMsg : IRosMessage
{
    public Header Header { get; } = new();
    public List<string> JointNames { get; } = [];
    public List<JointTrajectoryPoint> Points { get; } = [];

    public string RosType => "trajectory_msgs/JointTrajectory";

    public void Write(RosWriter w)
    {
        w.BeginMessage(3);
        w.Field("header"); Header.Write(w);
        w.Field("joint_names"); w.StringArray(JointNames);
        w.Field("points"); w.Messages(Points);
        w.EndMessage();
    }

    public void Read(RosReader r)
    {
        JointNames.Clear();
        Points.Clear();
        r.BeginMessage();
        while (r.NextField(out var f))
        {
            if (f.SequenceEqual("header"u8)) Header.Read(r);
            else if (f.SequenceEqual("joint_names"u8)) r.ReadStringArray(JointNames);
            else if (f.SequenceEqual("points"u8)) r.ReadMessages(Points);
            else r.UnknownField(f, RosType);
        }
    }
}
