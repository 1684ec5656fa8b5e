namespace RobotBridge.Recording.Messages;

/// <summary>ROS 1 time: seconds and nanoseconds since the Unix epoch (both unsigned 32-bit).</summary>
public readonly record struct RosTime(uint Seconds, uint Nanoseconds) : IComparable<RosTime>
{
    private const long NanosPerSecond = 1_000_000_000;

    /// <summary>Converts a wall-clock instant; throws when it is outside what ROS 1 time can hold.</summary>
    public static RosTime FromDateTimeOffset(DateTimeOffset instant)
    {
        long ticks = instant.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        if (ticks < 0 || ticks / TimeSpan.TicksPerSecond > uint.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(instant), instant, "ROS 1 time holds 1970-01-01 … 2106-02-07 only");
        }
        return new RosTime((uint)(ticks / TimeSpan.TicksPerSecond), (uint)(ticks % TimeSpan.TicksPerSecond * 100));
    }

    public long TotalNanoseconds => Seconds * NanosPerSecond + Nanoseconds;

    public DateTimeOffset ToDateTimeOffset() => DateTimeOffset.UnixEpoch.AddTicks(TotalNanoseconds / 100);

    public double ToSeconds() => Seconds + Nanoseconds / 1e9;

    public static RosTime FromNanoseconds(long nanoseconds) =>
        new((uint)(nanoseconds / NanosPerSecond), (uint)(nanoseconds % NanosPerSecond));

    public RosTime Add(TimeSpan offset) => FromNanoseconds(TotalNanoseconds + offset.Ticks * 100);

    public int CompareTo(RosTime other) => TotalNanoseconds.CompareTo(other.TotalNanoseconds);

    public static bool operator <(RosTime a, RosTime b) => a.CompareTo(b) < 0;
    public static bool operator >(RosTime a, RosTime b) => a.CompareTo(b) > 0;
    public static bool operator <=(RosTime a, RosTime b) => a.CompareTo(b) <= 0;
    public static bool operator >=(RosTime a, RosTime b) => a.CompareTo(b) >= 0;

    public override string ToString() => $"{Seconds}.{Nanoseconds:D9}";
}
