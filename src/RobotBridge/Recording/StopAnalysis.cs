using RobotBridge.Recording.Bag;
using RobotBridge.Recording.Messages;
using RobotBridge.Robots;

namespace RobotBridge.Recording;

/// <summary>
/// What a bag shows about an e-stop: when the trip was recorded, when the arm came to rest, how far
/// it crept afterwards, and when motion resumed after the reset. Built from <see cref="EpisodeTopics.Safety"/>
/// ("estop/trip", "estop/reset") and <see cref="EpisodeTopics.JointStates"/>.
/// </summary>
/// <param name="ArmStoppedAt">First joint state at or after the trip from which every arm joint stays
/// slower than the threshold for the settle time (a momentary dip while braking does not count), or
/// null if the arm never settled before the reset (or the end of the bag).</param>
/// <param name="ArmTravelAfterStop">Largest arm joint displacement (rad) between <see cref="ArmStoppedAt"/>
/// and the reset: creep after the stop.</param>
/// <param name="MotionResumedAt">First joint state after the reset with an arm joint faster than the
/// threshold, or null.</param>
public sealed record StopReport(TimeSpan TripTime, string TripCause, TimeSpan? ArmStoppedAt, double ArmTravelAfterStop,
    TimeSpan? ResetTime, TimeSpan? MotionResumedAt)
{
    /// <summary>Trip to arm at rest.</summary>
    public TimeSpan? StopLatency => ArmStoppedAt - TripTime;
}

public static class StopAnalysis
{
    /// <summary>Analyses the first e-stop trip in <paramref name="path"/> (whose cause contains
    /// <paramref name="tripCause"/>, when given); null when the bag records none.</summary>
    /// <param name="origin">Wall instant of robot time zero (as given to the recorder); null = the first message.</param>
    /// <param name="speedThreshold">Arm joint speed (rad/s) below which the arm counts as at rest.</param>
    /// <param name="settle">How long the arm must stay below the threshold to count as at rest (default 100 ms).</param>
    public static StopReport? Analyse(string path, DateTimeOffset? origin = null, double speedThreshold = 0.01, string? tripCause = null,
        TimeSpan? settle = null)
    {
        TimeSpan settleTime = settle ?? TimeSpan.FromMilliseconds(100);
        using var reader = BagReader.Open(path);
        RosTime? zero = origin is { } o ? RosTime.FromDateTimeOffset(o) : null;
        int[] arm = [.. FetchJoints.Arm.Select(FetchJoints.IndexOf)];

        TimeSpan? trip = null, reset = null, stopped = null, resumed = null;
        string cause = "";
        double[]? restPosition = null;
        double travel = 0;
        bool settled = false;
        foreach (BagMessage message in reader.ReadMessages(new HashSet<string> { EpisodeTopics.Safety, EpisodeTopics.JointStates }))
        {
            zero ??= message.Time;
            TimeSpan t = TimeSpan.FromTicks((message.Time.TotalNanoseconds - zero.Value.TotalNanoseconds) / 100);
            if (message.Connection.Topic == EpisodeTopics.Safety)
            {
                var status = RosMessages.ReadDiagnosticStatus(message.Data.Span);
                if (trip is null && status.Name == "estop/trip" && (tripCause is null || status.Message.Contains(tripCause, StringComparison.Ordinal)))
                {
                    (trip, cause) = (t, status.Message);
                }
                else if (trip is not null && reset is null && status.Name == "estop/reset")
                {
                    reset = t;
                }
                continue;
            }
            if (trip is null)
            {
                continue;
            }
            var joints = RosMessages.ReadJointState(message.Data.Span);
            if (joints.Velocity.Length < FetchJoints.Count || joints.Position.Length < FetchJoints.Count)
            {
                throw new BagFormatException($"{path}: joint state at {message.Time} has {joints.Velocity.Length} velocities, expected {FetchJoints.Count} (FetchJoints.All order)");
            }
            double fastest = arm.Max(j => Math.Abs(joints.Velocity[j]));
            if (reset is null)
            {
                settled |= t - stopped >= settleTime;
                if (stopped is not null && !settled && fastest >= speedThreshold)
                {
                    // Moving again before it settled: that was a dip while braking, not rest.
                    (stopped, restPosition, travel) = (null, null, 0);
                }
                if (stopped is null && fastest < speedThreshold)
                {
                    stopped = t;
                    restPosition = [.. arm.Select(j => joints.Position[j])];
                }
                else if (restPosition is not null)
                {
                    for (int k = 0; k < arm.Length; k++)
                    {
                        travel = Math.Max(travel, Math.Abs(joints.Position[arm[k]] - restPosition[k]));
                    }
                }
            }
            else if (resumed is null && fastest >= speedThreshold)
            {
                resumed = t;
            }
        }
        return trip is { } tripTime ? new StopReport(tripTime, cause, stopped, travel, reset, resumed) : null;
    }
}
