using RobotBridge.Ros.Protocol;
using RobotBridge.Ros.Serialization;

namespace RobotBridge.Ros.Messages;

/// <summary>sensor_msgs/JointState. Arrays are pooled and reused; names are reused when unchanged.</summary>
public sealed class JointState : IRosMessage, IDisposable
{
    public Header Header { get; } = new();
    public List<string> Name { get; } = [];
    public PooledArray<double> Position { get; } = new();
    public PooledArray<double> Velocity { get; } = new();
    public PooledArray<double> Effort { get; } = new();

    public string RosType => "sensor_msgs/JointState";

    public void Write(RosWriter w)
    {
        w.BeginMessage(5);
        w.Field("header"); Header.Write(w);
        w.Field("name"); w.StringArray(Name);
        w.Field("position"); w.Numbers<double>(Position.Span);
        w.Field("velocity"); w.Numbers<double>(Velocity.Span);
        w.Field("effort"); w.Numbers<double>(Effort.Span);
        w.EndMessage();
    }

    public void Read(RosReader r)
    {
        bool sawName = false;
        Position.Clear();
        Velocity.Clear();
        Effort.Clear();
        r.BeginMessage();
        while (r.NextField(out var f))
        {
            if (f.SequenceEqual("header"u8)) Header.Read(r);
            else if (f.SequenceEqual("name"u8)) { r.ReadStringArray(Name); sawName = true; }
            else if (f.SequenceEqual("position"u8)) r.ReadNumbers(Position);
            else if (f.SequenceEqual("velocity"u8)) r.ReadNumbers(Velocity);
            else if (f.SequenceEqual("effort"u8)) r.ReadNumbers(Effort);
            else r.UnknownField(f, RosType);
        }
        if (!sawName)
        {
            Name.Clear();
        }
    }

    public void Dispose()
    {
        Position.Dispose();
        Velocity.Dispose();
        Effort.Dispose();
    }
}

/// <summary>sensor_msgs/Image. <see cref="Data"/> is a pooled buffer reused across frames.</summary>
public sealed class Image : IRosMessage, IDisposable
{
    public Header Header { get; } = new();
    public uint Height { get; set; }
    public uint Width { get; set; }
    /// <summary>rgb8, bgr8, mono8, 16UC1 (depth mm), 32FC1 (depth m), ...</summary>
    public string Encoding { get; set; } = "";
    public bool IsBigEndian { get; set; }
    /// <summary>Row length in bytes.</summary>
    public uint Step { get; set; }
    public PooledArray<byte> Data { get; } = new();

    public string RosType => "sensor_msgs/Image";

    public void Write(RosWriter w)
    {
        w.BeginMessage(7);
        w.Field("header"); Header.Write(w);
        w.Field("height"); w.UInt(Height);
        w.Field("width"); w.UInt(Width);
        w.Field("encoding"); w.String(Encoding);
        w.Field("is_bigendian"); w.UInt(IsBigEndian ? 1u : 0u);
        w.Field("step"); w.UInt(Step);
        w.Field("data"); w.Bytes(Data.Span);
        w.EndMessage();
    }

    public void Read(RosReader r)
    {
        Height = Width = Step = 0;
        IsBigEndian = false;
        Data.Clear();
        string previous = Encoding;
        Encoding = "";
        r.BeginMessage();
        while (r.NextField(out var f))
        {
            if (f.SequenceEqual("header"u8)) Header.Read(r);
            else if (f.SequenceEqual("height"u8)) Height = (uint)r.ReadUInt();
            else if (f.SequenceEqual("width"u8)) Width = (uint)r.ReadUInt();
            else if (f.SequenceEqual("encoding"u8)) Encoding = r.ReadString(previous);
            else if (f.SequenceEqual("is_bigendian"u8)) IsBigEndian = r.ReadUInt() != 0;
            else if (f.SequenceEqual("step"u8)) Step = (uint)r.ReadUInt();
            else if (f.SequenceEqual("data"u8)) r.ReadBytes(Data);
            else r.UnknownField(f, RosType);
        }
    }

    public void Dispose() => Data.Dispose();
}

/// <summary>sensor_msgs/CompressedImage: <see cref="Format"/> is e.g. "jpeg" or "rgb8; png compressed bgr8".</summary>
public sealed class CompressedImage : IRosMessage, IDisposable
{
    public Header Header { get; } = new();
    public string Format { get; set; } = "";
    public PooledArray<byte> Data { get; } = new();

    public string RosType => "sensor_msgs/CompressedImage";

    public void Write(RosWriter w)
    {
        w.BeginMessage(3);
        w.Field("header"); Header.Write(w);
        w.Field("format"); w.String(Format);
        w.Field("data"); w.Bytes(Data.Span);
        w.EndMessage();
    }

    public void Read(RosReader r)
    {
        Data.Clear();
        string previous = Format;
        Format = "";
        r.BeginMessage();
        while (r.NextField(out var f))
        {
            if (f.SequenceEqual("header"u8)) Header.Read(r);
            else if (f.SequenceEqual("format"u8)) Format = r.ReadString(previous);
            else if (f.SequenceEqual("data"u8)) r.ReadBytes(Data);
            else r.UnknownField(f, RosType);
        }
    }

    public void Dispose() => Data.Dispose();
}

/// <summary>sensor_msgs/CameraInfo. ROS 1 spells the matrices D/K/R/P, ROS 2 d/k/r/p; both are read.</summary>
public sealed class CameraInfo : IRosMessage
{
    public Header Header { get; } = new();
    public uint Height { get; set; }
    public uint Width { get; set; }
    public string DistortionModel { get; set; } = "";
    public PooledArray<double> D { get; } = new();
    public double[] K { get; } = new double[9];
    public double[] R { get; } = new double[9];
    public double[] P { get; } = new double[12];
    public uint BinningX { get; set; }
    public uint BinningY { get; set; }

    public string RosType => "sensor_msgs/CameraInfo";

    public void Write(RosWriter w)
    {
        bool ros1 = w.Dialect == RosDialect.Ros1;
        w.BeginMessage(11);
        w.Field("header"); Header.Write(w);
        w.Field("height"); w.UInt(Height);
        w.Field("width"); w.UInt(Width);
        w.Field("distortion_model"); w.String(DistortionModel);
        w.Field(ros1 ? "D" : "d"); w.Numbers<double>(D.Span);
        w.Field(ros1 ? "K" : "k"); w.Numbers<double>(K);
        w.Field(ros1 ? "R" : "r"); w.Numbers<double>(R);
        w.Field(ros1 ? "P" : "p"); w.Numbers<double>(P);
        w.Field("binning_x"); w.UInt(BinningX);
        w.Field("binning_y"); w.UInt(BinningY);
        w.Field("roi");
        w.BeginMessage(5);
        w.Field("x_offset"); w.UInt(0);
        w.Field("y_offset"); w.UInt(0);
        w.Field("height"); w.UInt(0);
        w.Field("width"); w.UInt(0);
        w.Field("do_rectify"); w.Bool(false);
        w.EndMessage();
        w.EndMessage();
    }

    public void Read(RosReader r)
    {
        Height = Width = BinningX = BinningY = 0;
        D.Clear();
        Array.Clear(K);
        Array.Clear(R);
        Array.Clear(P);
        r.BeginMessage();
        while (r.NextField(out var f))
        {
            if (f.SequenceEqual("header"u8)) Header.Read(r);
            else if (f.SequenceEqual("height"u8)) Height = (uint)r.ReadUInt();
            else if (f.SequenceEqual("width"u8)) Width = (uint)r.ReadUInt();
            else if (f.SequenceEqual("distortion_model"u8)) DistortionModel = r.ReadString(DistortionModel);
            else if (f.SequenceEqual("D"u8) || f.SequenceEqual("d"u8)) r.ReadNumbers(D);
            else if (f.SequenceEqual("K"u8) || f.SequenceEqual("k"u8)) r.ReadFixed(K, "K");
            else if (f.SequenceEqual("R"u8) || f.SequenceEqual("r"u8)) r.ReadFixed(R, "R");
            else if (f.SequenceEqual("P"u8) || f.SequenceEqual("p"u8)) r.ReadFixed(P, "P");
            else if (f.SequenceEqual("binning_x"u8)) BinningX = (uint)r.ReadUInt();
            else if (f.SequenceEqual("binning_y"u8)) BinningY = (uint)r.ReadUInt();
            else if (f.SequenceEqual("roi"u8)) r.Skip();
            else r.UnknownField(f, RosType);
        }
    }
}

/// <summary>sensor_msgs/LaserScan (the Fetch's /base_scan).</summary>
public sealed class LaserScan : IRosMessage, IDisposable
{
    public Header Header { get; } = new();
    public double AngleMin { get; set; }
    public double AngleMax { get; set; }
    public double AngleIncrement { get; set; }
    public double TimeIncrement { get; set; }
    public double ScanTime { get; set; }
    public double RangeMin { get; set; }
    public double RangeMax { get; set; }
    public PooledArray<float> Ranges { get; } = new();
    public PooledArray<float> Intensities { get; } = new();

    public string RosType => "sensor_msgs/LaserScan";

    public void Write(RosWriter w)
    {
        w.BeginMessage(10);
        w.Field("header"); Header.Write(w);
        w.Field("angle_min"); w.Double(AngleMin);
        w.Field("angle_max"); w.Double(AngleMax);
        w.Field("angle_increment"); w.Double(AngleIncrement);
        w.Field("time_increment"); w.Double(TimeIncrement);
        w.Field("scan_time"); w.Double(ScanTime);
        w.Field("range_min"); w.Double(RangeMin);
        w.Field("range_max"); w.Double(RangeMax);
        w.Field("ranges"); w.Numbers<float>(Ranges.Span);
        w.Field("intensities"); w.Numbers<float>(Intensities.Span);
        w.EndMessage();
    }

    public void Read(RosReader r)
    {
        AngleMin = AngleMax = AngleIncrement = TimeIncrement = ScanTime = RangeMin = RangeMax = 0;
        Ranges.Clear();
        Intensities.Clear();
        r.BeginMessage();
        while (r.NextField(out var f))
        {
            if (f.SequenceEqual("header"u8)) Header.Read(r);
            else if (f.SequenceEqual("angle_min"u8)) AngleMin = r.ReadDouble();
            else if (f.SequenceEqual("angle_max"u8)) AngleMax = r.ReadDouble();
            else if (f.SequenceEqual("angle_increment"u8)) AngleIncrement = r.ReadDouble();
            else if (f.SequenceEqual("time_increment"u8)) TimeIncrement = r.ReadDouble();
            else if (f.SequenceEqual("scan_time"u8)) ScanTime = r.ReadDouble();
            else if (f.SequenceEqual("range_min"u8)) RangeMin = r.ReadDouble();
            else if (f.SequenceEqual("range_max"u8)) RangeMax = r.ReadDouble();
            else if (f.SequenceEqual("ranges"u8)) r.ReadNumbers(Ranges);
            else if (f.SequenceEqual("intensities"u8)) r.ReadNumbers(Intensities);
            else r.UnknownField(f, RosType);
        }
    }

    public void Dispose()
    {
        Ranges.Dispose();
        Intensities.Dispose();
    }
}

/// <summary>sensor_msgs/Imu (the Fetch's /imu and /gripper_imu, 100 Hz).</summary>
public sealed class Imu : IRosMessage
{
    public Header Header { get; } = new();
    public Quaternion Orientation { get; } = new();
    public double[] OrientationCovariance { get; } = new double[9];
    public Vector3 AngularVelocity { get; } = new();
    public double[] AngularVelocityCovariance { get; } = new double[9];
    public Vector3 LinearAcceleration { get; } = new();
    public double[] LinearAccelerationCovariance { get; } = new double[9];

    public string RosType => "sensor_msgs/Imu";

    public void Write(RosWriter w)
    {
        w.BeginMessage(7);
        w.Field("header"); Header.Write(w);
        w.Field("orientation"); Orientation.Write(w);
        w.Field("orientation_covariance"); w.Numbers<double>(OrientationCovariance);
        w.Field("angular_velocity"); AngularVelocity.Write(w);
        w.Field("angular_velocity_covariance"); w.Numbers<double>(AngularVelocityCovariance);
        w.Field("linear_acceleration"); LinearAcceleration.Write(w);
        w.Field("linear_acceleration_covariance"); w.Numbers<double>(LinearAccelerationCovariance);
        w.EndMessage();
    }

    public void Read(RosReader r)
    {
        Array.Clear(OrientationCovariance);
        Array.Clear(AngularVelocityCovariance);
        Array.Clear(LinearAccelerationCovariance);
        r.BeginMessage();
        while (r.NextField(out var f))
        {
            if (f.SequenceEqual("header"u8)) Header.Read(r);
            else if (f.SequenceEqual("orientation"u8)) Orientation.Read(r);
            else if (f.SequenceEqual("orientation_covariance"u8)) r.ReadFixed(OrientationCovariance, "orientation_covariance");
            else if (f.SequenceEqual("angular_velocity"u8)) AngularVelocity.Read(r);
            else if (f.SequenceEqual("angular_velocity_covariance"u8)) r.ReadFixed(AngularVelocityCovariance, "angular_velocity_covariance");
            else if (f.SequenceEqual("linear_acceleration"u8)) LinearAcceleration.Read(r);
            else if (f.SequenceEqual("linear_acceleration_covariance"u8)) r.ReadFixed(LinearAccelerationCovariance, "linear_acceleration_covariance");
            else r.UnknownField(f, RosType);
        }
    }
}
