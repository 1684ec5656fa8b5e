namespace RobotBridge.Ros.Serialization;

/// <summary>ROS time or duration: whole seconds plus nanoseconds (0 ≤ nsecs &lt; 1e9).</summary>
public readonly record struct RosTime(int Secs, uint Nsecs)
{
    public static RosTime FromTimeSpan(TimeSpan t)
    {
        long ticks = t.Ticks;
        long secs = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out long rem);
        if (rem < 0)
        {
            secs -= 1;
            rem += TimeSpan.TicksPerSecond;
        }
        return new RosTime(checked((int)secs), (uint)(rem * 100));
    }

    public static RosTime FromSeconds(double seconds) => FromTimeSpan(TimeSpan.FromSeconds(seconds));

    public TimeSpan ToTimeSpan() => TimeSpan.FromTicks(Secs * TimeSpan.TicksPerSecond + Nsecs / 100);

    public double ToSeconds() => Secs + Nsecs * 1e-9;

    public bool IsZero => Secs == 0 && Nsecs == 0;
}
