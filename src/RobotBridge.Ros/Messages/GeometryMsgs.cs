using RobotBridge.Ros.Serialization;

namespace RobotBridge.Ros.Messages;

/// <summary>geometry_msgs/Vector3; <see cref="Point"/> has the same shape.</summary>
public class Vector3 : IRosMessage
{
    public double X { get; set; }
    public double Y { get; set; }
    public double Z { get; set; }

    public virtual string RosType => "geometry_msgs/Vector3";

    public void Write(RosWriter w)
    {
        w.BeginMessage(3);
        w.Field("x"); w.Double(X);
        w.Field("y"); w.Double(Y);
        w.Field("z"); w.Double(Z);
        w.EndMessage();
    }

    public void Read(RosReader r)
    {
        X = Y = Z = 0;
        r.BeginMessage();
        while (r.NextField(out var f))
        {
            if (f.SequenceEqual("x"u8)) X = r.ReadDouble();
            else if (f.SequenceEqual("y"u8)) Y = r.ReadDouble();
            else if (f.SequenceEqual("z"u8)) Z = r.ReadDouble();
            else r.UnknownField(f, RosType);
        }
    }
}

/// <summary>geometry_msgs/Point.</summary>
public sealed class Point : Vector3
{
    public override string RosType => "geometry_msgs/Point";
}

/// <summary>geometry_msgs/Quaternion (identity by default).</summary>
public sealed class Quaternion : IRosMessage
{
    public double X { get; set; }
    public double Y { get; set; }
    public double Z { get; set; }
    public double W { get; set; } = 1;

    public string RosType => "geometry_msgs/Quaternion";

    public void Write(RosWriter w)
    {
        w.BeginMessage(4);
        w.Field("x"); w.Double(X);
        w.Field("y"); w.Double(Y);
        w.Field("z"); w.Double(Z);
        w.Field("w"); w.Double(W);
        w.EndMessage();
    }

    public void Read(RosReader r)
    {
        // ROS's default Quaternion is all zeros; a missing w stays 0 as rosbridge would leave it.
        X = Y = Z = W = 0;
        r.BeginMessage();
        while (r.NextField(out var f))
        {
            if (f.SequenceEqual("x"u8)) X = r.ReadDouble();
            else if (f.SequenceEqual("y"u8)) Y = r.ReadDouble();
            else if (f.SequenceEqual("z"u8)) Z = r.ReadDouble();
            else if (f.SequenceEqual("w"u8)) W = r.ReadDouble();
            else r.UnknownField(f, RosType);
        }
    }
}

/// <summary>geometry_msgs/Pose.</summary>
public sealed class Pose : IRosMessage
{
    public Point Position { get; } = new();
    public Quaternion Orientation { get; } = new();
    public string RosType => "geometry_msgs/Pose";

    public void Write(RosWriter w)
    {
        w.BeginMessage(2);
        w.Field("position"); Position.Write(w);
        w.Field("orientation"); Orientation.Write(w);
        w.EndMessage();
    }

    public void Read(RosReader r)
    {
        r.BeginMessage();
        while (r.NextField(out var f))
        {
            if (f.SequenceEqual("position"u8)) Position.Read(r);
            else if (f.SequenceEqual("orientation"u8)) Orientation.Read(r);
            else r.UnknownField(f, RosType);
        }
    }
}

/// <summary>geometry_msgs/PoseStamped.</summary>
public sealed class PoseStamped : IRosMessage
{
    public Header Header { get; } = new();
    public Pose Pose { get; } = new();
    public string RosType => "geometry_msgs/PoseStamped";

    public void Write(RosWriter w)
    {
        w.BeginMessage(2);
        w.Field("header"); Header.Write(w);
        w.Field("pose"); Pose.Write(w);
        w.EndMessage();
    }

    public void Read(RosReader r)
    {
        r.BeginMessage();
        while (r.NextField(out var f))
        {
            if (f.SequenceEqual("header"u8)) Header.Read(r);
            else if (f.SequenceEqual("pose"u8)) Pose.Read(r);
            else r.UnknownField(f, RosType);
        }
    }
}

/// <summary>geometry_msgs/PointStamped (PointHead's target).</summary>
public sealed class PointStamped : IRosMessage
{
    public Header Header { get; } = new();
    public Point Point { get; } = new();
    public string RosType => "geometry_msgs/PointStamped";

    public void Write(RosWriter w)
    {
        w.BeginMessage(2);
        w.Field("header"); Header.Write(w);
        w.Field("point"); Point.Write(w);
        w.EndMessage();
    }

    public void Read(RosReader r)
    {
        r.BeginMessage();
        while (r.NextField(out var f))
        {
            if (f.SequenceEqual("header"u8)) Header.Read(r);
            else if (f.SequenceEqual("point"u8)) Point.Read(r);
            else r.UnknownField(f, RosType);
        }
    }
}

/// <summary>geometry_msgs/Twist (the Fetch's base_controller/command and /cmd_vel).</summary>
public sealed class TwistMsg : IRosMessage
{
    public Vector3 Linear { get; } = new();
    public Vector3 Angular { get; } = new();
    public string RosType => "geometry_msgs/Twist";

    public Robots.Twist ToTwist() => new(Linear.X, Linear.Y, Linear.Z, Angular.X, Angular.Y, Angular.Z);

    public void Set(in Robots.Twist t)
    {
        Linear.X = t.Vx; Linear.Y = t.Vy; Linear.Z = t.Vz;
        Angular.X = t.Wx; Angular.Y = t.Wy; Angular.Z = t.Wz;
    }

    public void Write(RosWriter w)
    {
        w.BeginMessage(2);
        w.Field("linear"); Linear.Write(w);
        w.Field("angular"); Angular.Write(w);
        w.EndMessage();
    }

    public void Read(RosReader r)
    {
        Linear.X = Linear.Y = Linear.Z = Angular.X = Angular.Y = Angular.Z = 0;
        r.BeginMessage();
        while (r.NextField(out var f))
        {
            if (f.SequenceEqual("linear"u8)) Linear.Read(r);
            else if (f.SequenceEqual("angular"u8)) Angular.Read(r);
            else r.UnknownField(f, RosType);
        }
    }
}

/// <summary>geometry_msgs/TwistStamped (the Fetch's arm_controller/cartesian_twist/command).</summary>
public sealed class TwistStamped : IRosMessage
{
    public Header Header { get; } = new();
    public TwistMsg Twist { get; } = new();
    public string RosType => "geometry_msgs/TwistStamped";

    public void Write(RosWriter w)
    {
        w.BeginMessage(2);
        w.Field("header"); Header.Write(w);
        w.Field("twist"); Twist.Write(w);
        w.EndMessage();
    }

    public void Read(RosReader r)
    {
        r.BeginMessage();
        while (r.NextField(out var f))
        {
            if (f.SequenceEqual("header"u8)) Header.Read(r);
            else if (f.SequenceEqual("twist"u8)) Twist.Read(r);
            else r.UnknownField(f, RosType);
        }
    }
}
