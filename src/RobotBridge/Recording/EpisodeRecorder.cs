using RobotBridge.Recording.Bag;
using RobotBridge.Recording.Messages;
using RobotBridge.Robots;

namespace RobotBridge.Recording;

/// <summary>
/// Records deploy, teleop and eval episodes into a ROS bag 2.0 file that standard ROS tools read
/// (<c>rosbag info</c>, <c>rosbag play</c>): observations, actions, rewards, safety events, step
/// timing, joint states and camera frames, on the topics of <see cref="EpisodeTopics"/>.
/// </summary>
/// <remarks>
/// <para>Times are robot-clock times (<see cref="IRobotClock.Now"/>); the bag stores them as
/// <c>origin + t</c>, where origin is the wall-clock instant of robot time zero given at
/// construction, so a recording is deterministic for a fixed origin.</para>
/// <para>Thread-safe: the control loop, the safety supervisor and the camera thread may all record.
/// Recording must never take the robot down: an I/O failure (disk full, file removed) stops the
/// recording, is kept in <see cref="Failure"/>, and every later call returns at once; so do calls
/// after <see cref="Dispose"/>.</para>
/// <para>Each call serializes into a reused buffer; steady-state recording of vectors allocates
/// nothing. Topics appear in the bag on first use.</para>
/// </remarks>
public sealed class EpisodeRecorder : IDisposable
{
    private readonly Lock _gate = new();
    private readonly BagWriter _writer;
    private readonly RosTime _origin;
    private readonly RosMessageBuffer _buffer = new(1024);
    private readonly Dictionary<string, int> _connections = new(StringComparer.Ordinal);
    private readonly double[] _timing = new double[5];
    private readonly List<KeyValuePair<string, string>> _noValues = [];
    private uint _jointSeq;
    private uint _imageSeq;
    private bool _disposed;

    /// <param name="writer">The bag to write; the recorder owns it and disposes it.</param>
    /// <param name="origin">Wall-clock instant of robot time zero.</param>
    public EpisodeRecorder(BagWriter writer, DateTimeOffset origin)
    {
        ArgumentNullException.ThrowIfNull(writer);
        _writer = writer;
        _origin = RosTime.FromDateTimeOffset(origin);
    }

    /// <summary>Creates the bag file at <paramref name="path"/> (directories included).</summary>
    public static EpisodeRecorder Create(string path, DateTimeOffset origin) => new(BagWriter.Create(path), origin);

    /// <summary>The I/O error that stopped the recording, or null while it is healthy.</summary>
    public Exception? Failure { get; private set; }

    /// <summary>Number of messages written so far.</summary>
    public long MessageCount { get; private set; }

    /// <summary>Marks the start of an episode ("begin …" on <see cref="EpisodeTopics.Events"/>).</summary>
    public void BeginEpisode(TimeSpan t, EpisodeInfo info)
    {
        string text = info.ToEventText();
        lock (_gate)
        {
            _buffer.Clear();
            RosMessages.WriteString(_buffer, text);
            Append(EpisodeTopics.Events, RosMessageTypes.String, t);
        }
    }

    /// <summary>Marks the end of an episode; <paramref name="reason"/> is one word (e.g. "estop", "success").</summary>
    public void EndEpisode(TimeSpan t, bool terminated, bool truncated, string reason = "done")
    {
        if (string.IsNullOrEmpty(reason) || reason.Any(c => char.IsWhiteSpace(c) || c == '='))
        {
            throw new ArgumentException($"end reason '{reason}' must be one word without '='", nameof(reason));
        }
        string text = $"end terminated={(terminated ? "true" : "false")} truncated={(truncated ? "true" : "false")} reason={reason}";
        lock (_gate)
        {
            _buffer.Clear();
            RosMessages.WriteString(_buffer, text);
            Append(EpisodeTopics.Events, RosMessageTypes.String, t);
        }
    }

    /// <summary>Records the policy's observation vector (Gym <c>observation</c> key).</summary>
    public void RecordObservation(TimeSpan t, ReadOnlySpan<double> observation) =>
        RecordVector(EpisodeTopics.Observation, "observation", t, observation);

    /// <summary>Records a goal env's achieved and desired goals.</summary>
    public void RecordGoals(TimeSpan t, ReadOnlySpan<double> achievedGoal, ReadOnlySpan<double> desiredGoal)
    {
        RecordVector(EpisodeTopics.AchievedGoal, "achieved_goal", t, achievedGoal);
        RecordVector(EpisodeTopics.DesiredGoal, "desired_goal", t, desiredGoal);
    }

    /// <summary>Records the action handed to the env's step at time <paramref name="t"/>.</summary>
    public void RecordAction(TimeSpan t, ReadOnlySpan<double> action) =>
        RecordVector(EpisodeTopics.Action, "action", t, action);

    public void RecordReward(TimeSpan t, double reward)
    {
        lock (_gate)
        {
            _buffer.Clear();
            RosMessages.WriteFloat64(_buffer, reward);
            Append(EpisodeTopics.Reward, RosMessageTypes.Float64, t);
        }
    }

    /// <summary>Records one control step's timing, stamped at its scheduled time.</summary>
    public void RecordTiming(StepTiming timing)
    {
        lock (_gate)
        {
            _timing[0] = timing.Scheduled.TotalSeconds;
            _timing[1] = timing.Started.TotalSeconds;
            _timing[2] = timing.Completed.TotalSeconds;
            _timing[3] = timing.Lateness.TotalSeconds;
            _timing[4] = timing.Compute.TotalSeconds;
            _buffer.Clear();
            RosMessages.WriteFloat64MultiArray(_buffer, StepTiming.Labels, _timing);
            Append(EpisodeTopics.Timing, RosMessageTypes.Float64MultiArray, timing.Scheduled);
        }
    }

    /// <summary>Records a safety event (e-stop, clamp, watchdog, reset) as a DiagnosticStatus named
    /// <paramref name="name"/> (e.g. "estop") with a human-readable <paramref name="message"/>.</summary>
    public void RecordSafetyEvent(TimeSpan t, RosMessages.DiagnosticLevel level, string name, string message,
        IReadOnlyList<KeyValuePair<string, string>>? values = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        lock (_gate)
        {
            _buffer.Clear();
            RosMessages.WriteDiagnosticStatus(_buffer, level, name, message ?? "", "robotbridge", values ?? _noValues);
            Append(EpisodeTopics.Safety, RosMessageTypes.DiagnosticStatus, t);
        }
    }

    /// <summary>Records an entry of the safety log (<see cref="Safety.SafetyEventLog"/>) as
    /// "estop/trip", "estop/reset", …: a trip or fault at level ERROR, a refused reset or a cleared
    /// source at WARN, a reset at OK. Stamped with its robot time, or its wall time when it has none.</summary>
    public void RecordSafetyEvent(Safety.SafetyEvent safetyEvent)
    {
        ArgumentNullException.ThrowIfNull(safetyEvent);
        var level = safetyEvent.Kind switch
        {
            Safety.SafetyEventKind.Trip or Safety.SafetyEventKind.Fault => RosMessages.DiagnosticLevel.Error,
            Safety.SafetyEventKind.Reset => RosMessages.DiagnosticLevel.Ok,
            _ => RosMessages.DiagnosticLevel.Warn,
        };
        TimeSpan t = safetyEvent.RobotTime ?? safetyEvent.WallTime - _origin.ToDateTimeOffset();
        RecordSafetyEvent(t < TimeSpan.Zero ? TimeSpan.Zero : t, level, "estop/" + safetyEvent.Kind.ToString().ToLowerInvariant(),
            safetyEvent.Cause,
            [
                new("source", safetyEvent.Source.ToString()),
                new("sequence", safetyEvent.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new("wall_time", safetyEvent.WallTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture)),
            ]);
    }

    /// <summary>Records the joint state, stamped with <see cref="RobotState.Stamp"/>.</summary>
    public void RecordJointState(RobotState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        lock (_gate)
        {
            _buffer.Clear();
            RosMessages.WriteJointState(_buffer, _jointSeq++, Stamp(state.Stamp), FetchJoints.All,
                state.Position, state.Velocity, state.Effort);
            Append(EpisodeTopics.JointStates, RosMessageTypes.JointState, state.Stamp);
        }
    }

    /// <summary>Records a joint state as the bridge received it: stored at robot-clock time
    /// <paramref name="received"/> (when it arrived, as rosbag record stores a message), while the
    /// message header keeps the state's measurement stamp (<see cref="RobotState.Stamp"/>) as it is.</summary>
    public void RecordJointState(TimeSpan received, RobotState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        lock (_gate)
        {
            _buffer.Clear();
            TimeSpan stamp = state.Stamp < TimeSpan.Zero ? TimeSpan.Zero : state.Stamp;
            RosMessages.WriteJointState(_buffer, _jointSeq++, RosTime.FromNanoseconds(stamp.Ticks * 100), FetchJoints.All,
                state.Position, state.Velocity, state.Effort);
            Append(EpisodeTopics.JointStates, RosMessageTypes.JointState, received);
        }
    }

    /// <summary>Records a head-camera frame (RGB, and depth when it has one), stamped with its
    /// capture time. The caller keeps ownership of the frame.</summary>
    public void RecordCameraFrame(CameraFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        lock (_gate)
        {
            uint seq = _imageSeq++;
            RosTime stamp = Stamp(frame.Stamp);
            _buffer.Clear();
            RosMessages.WriteImage(_buffer, seq, stamp, "head_camera_rgb_optical_frame",
                frame.Width, frame.Height, "rgb8", 3, frame.Rgb);
            Append(EpisodeTopics.CameraRgb, RosMessageTypes.Image, frame.Stamp);
            if (frame.HasDepth)
            {
                _buffer.Clear();
                RosMessages.WriteImage(_buffer, seq, stamp, "head_camera_rgb_optical_frame",
                    frame.Width, frame.Height, "32FC1", 4, System.Runtime.InteropServices.MemoryMarshal.AsBytes(frame.Depth));
                Append(EpisodeTopics.CameraDepth, RosMessageTypes.Image, frame.Stamp);
            }
        }
    }

    /// <summary>Writes the open chunk to disk (call at episode end so a crash loses nothing).</summary>
    public void Flush()
    {
        lock (_gate)
        {
            if (_disposed || Failure is not null)
            {
                return;
            }
            try
            {
                _writer.Flush();
            }
            catch (Exception error) when (IsStorageFailure(error))
            {
                Failure = error;
            }
        }
    }

    /// <summary>Closes the bag (writes its index). Idempotent.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            try
            {
                _writer.Dispose();
            }
            catch (Exception error) when (IsStorageFailure(error))
            {
                Failure ??= error;
            }
        }
    }

    private void RecordVector(string topic, string label, TimeSpan t, ReadOnlySpan<double> values)
    {
        lock (_gate)
        {
            _buffer.Clear();
            RosMessages.WriteFloat64MultiArray(_buffer, label, values);
            Append(topic, RosMessageTypes.Float64MultiArray, t);
        }
    }

    /// <summary>Failures of the file underneath (disk full, file closed or removed, permissions),
    /// as opposed to programming errors, which still throw.</summary>
    private static bool IsStorageFailure(Exception error) =>
        error is IOException or ObjectDisposedException or UnauthorizedAccessException or NotSupportedException;

    private RosTime Stamp(TimeSpan t)
    {
        if (t < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(t), t, "robot time before the recording origin");
        }
        return _origin.Add(t);
    }

    /// <summary>Writes the serialized message in <see cref="_buffer"/>; the caller holds the gate.</summary>
    private void Append(string topic, RosMessageType type, TimeSpan t)
    {
        if (_disposed || Failure is not null)
        {
            // After Dispose (a safety thread racing shutdown) or a failure: drop, never throw.
            return;
        }
        RosTime time = Stamp(t);
        try
        {
            if (!_connections.TryGetValue(topic, out int connection))
            {
                connection = _writer.AddConnection(topic, type);
                _connections[topic] = connection;
            }
            _writer.Write(connection, time, _buffer.WrittenSpan);
            MessageCount++;
        }
        catch (Exception error) when (IsStorageFailure(error))
        {
            Failure = error;
        }
    }
}
