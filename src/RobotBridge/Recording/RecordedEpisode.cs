using RobotBridge.Recording.Bag;
using RobotBridge.Recording.Messages;

namespace RobotBridge.Recording;

/// <summary>One control step as recorded: what the policy saw at <see cref="Time"/> and what it did.
/// The last step of an episode may carry only the final observation (no action).</summary>
public sealed record RecordedStep(TimeSpan Time, double[]? Observation, double[]? AchievedGoal, double[]? DesiredGoal,
    double[]? Action, double? Reward);

/// <summary>A safety event as read back from <see cref="EpisodeTopics.Safety"/>.</summary>
public sealed record RecordedSafetyEvent(TimeSpan Time, RosMessages.DiagnosticLevel Level, string Name, string Message);

/// <summary>One episode read back from a bag: its begin info, steps in time order, safety events and
/// the end event's text (null when the recording stopped before the episode ended).</summary>
public sealed record RecordedEpisode(EpisodeInfo Info, TimeSpan Start, IReadOnlyList<RecordedStep> Steps,
    IReadOnlyList<RecordedSafetyEvent> SafetyEvents, string? EndEvent);

/// <summary>
/// Reads the episodes of a bag written by <see cref="EpisodeRecorder"/>. Messages recorded at the
/// same time belong to the same step (the recorder's convention: observation, action and reward of
/// a step share its time). Times come back as robot-clock times relative to the recording origin.
/// </summary>
public static class EpisodeBagReader
{
    private static readonly HashSet<string> Topics =
    [
        EpisodeTopics.Events, EpisodeTopics.Observation, EpisodeTopics.AchievedGoal, EpisodeTopics.DesiredGoal,
        EpisodeTopics.Action, EpisodeTopics.Reward, EpisodeTopics.Safety,
    ];

    /// <param name="origin">Wall-clock instant of robot time zero; null = the time of the first begin event
    /// minus its robot time is unknown, so times are taken relative to the first message.</param>
    public static IReadOnlyList<RecordedEpisode> Read(string path, DateTimeOffset? origin = null)
    {
        using var reader = BagReader.Open(path);
        var episodes = new List<RecordedEpisode>();
        RosTime? zero = origin is { } o ? RosTime.FromDateTimeOffset(o) : null;
        Builder? current = null;
        foreach (BagMessage message in reader.ReadMessages(Topics))
        {
            zero ??= message.Time;
            TimeSpan t = TimeSpan.FromTicks((message.Time.TotalNanoseconds - zero.Value.TotalNanoseconds) / 100);
            ReadOnlySpan<byte> data = message.Data.Span;
            string where = $"{path}: {message.Connection.Topic} at {message.Time}";
            try
            {
                switch (message.Connection.Topic)
                {
                    case EpisodeTopics.Events:
                        string text = RosMessages.ReadString(data);
                        if (text.StartsWith("begin", StringComparison.Ordinal))
                        {
                            if (current is not null)
                            {
                                episodes.Add(current.Build(null));
                            }
                            current = new Builder(EpisodeInfo.Parse(text), t);
                        }
                        else if (current is not null)
                        {
                            episodes.Add(current.Build(text));
                            current = null;
                        }
                        break;
                    case EpisodeTopics.Safety:
                        var status = RosMessages.ReadDiagnosticStatus(data);
                        current?.Safety.Add(new RecordedSafetyEvent(t, status.Level, status.Name, status.Message));
                        break;
                    case EpisodeTopics.Reward:
                        current?.Step(t).Reward = RosMessages.ReadFloat64(data);
                        break;
                    default:
                        if (current is null)
                        {
                            break;
                        }
                        double[] values = RosMessages.ReadFloat64MultiArray(data, out _);
                        var step = current.Step(t);
                        switch (message.Connection.Topic)
                        {
                            case EpisodeTopics.Observation: step.Observation = values; break;
                            case EpisodeTopics.AchievedGoal: step.AchievedGoal = values; break;
                            case EpisodeTopics.DesiredGoal: step.DesiredGoal = values; break;
                            case EpisodeTopics.Action: step.Action = values; break;
                        }
                        break;
                }
            }
            catch (FormatException error)
            {
                throw new BagFormatException($"{where}: {error.Message}");
            }
        }
        if (current is not null)
        {
            episodes.Add(current.Build(null));
        }
        return episodes;
    }

    private sealed class Builder(EpisodeInfo info, TimeSpan start)
    {
        private readonly SortedDictionary<TimeSpan, MutableStep> _steps = [];

        public List<RecordedSafetyEvent> Safety { get; } = [];

        public MutableStep Step(TimeSpan t)
        {
            if (!_steps.TryGetValue(t, out MutableStep? step))
            {
                step = new MutableStep(t);
                _steps[t] = step;
            }
            return step;
        }

        public RecordedEpisode Build(string? end) =>
            new(info, start, _steps.Values.Select(s => s.Freeze()).ToList(), Safety, end);
    }

    private sealed class MutableStep(TimeSpan time)
    {
        public double[]? Observation { get; set; }
        public double[]? AchievedGoal { get; set; }
        public double[]? DesiredGoal { get; set; }
        public double[]? Action { get; set; }
        public double? Reward { get; set; }

        public RecordedStep Freeze() => new(time, Observation, AchievedGoal, DesiredGoal, Action, Reward);
    }
}
