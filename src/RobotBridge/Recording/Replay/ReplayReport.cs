using System.Globalization;
using System.Text;

namespace RobotBridge.Recording.Replay;

/// <summary>Recorded vs replayed values of one step: Euclidean distance of each observation part
/// (NaN when the bag did not record that part).</summary>
public readonly record struct StepDivergence(int Step, TimeSpan Time, double Observation, double AchievedGoal, double DesiredGoal);

/// <summary>
/// How far a replay on the twin drifted from the recording: per step the distance between recorded
/// and replayed observation vectors, and summaries. For goal envs the achieved goal is the gripper
/// (or object) position, so its divergence reads directly in metres.
/// </summary>
public sealed record ReplayReport(EpisodeInfo Episode, IReadOnlyList<StepDivergence> Steps, int ActionsReplayed,
    string? StoppedEarly)
{
    public double MaxObservation => Max(s => s.Observation);
    public double MaxAchievedGoal => Max(s => s.AchievedGoal);
    public double MeanAchievedGoal => Mean(s => s.AchievedGoal);
    public double FinalAchievedGoal => Steps.Count == 0 ? double.NaN : Steps[^1].AchievedGoal;

    /// <summary>First step whose achieved-goal divergence exceeds <paramref name="threshold"/>, or null.</summary>
    public int? FirstStepBeyond(double threshold) =>
        Steps.FirstOrDefault(s => s.AchievedGoal > threshold) is { } s && s.AchievedGoal > threshold ? s.Step : null;

    private double Max(Func<StepDivergence, double> pick) =>
        Steps.Select(pick).Where(double.IsFinite).DefaultIfEmpty(double.NaN).Max();

    private double Mean(Func<StepDivergence, double> pick) =>
        Steps.Select(pick).Where(double.IsFinite).DefaultIfEmpty(double.NaN).Average();

    /// <summary>A table for people: one line per step, then the summary.</summary>
    public string ToText(int everyNthStep = 1)
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(c, $"episode {Episode.Index} of {Episode.Task} (seed {Episode.Seed?.ToString(c) ?? "none"}, recorded on {Episode.Robot}): {ActionsReplayed} actions replayed on the twin");
        text.AppendLine("step   time_s   |d obs|     |d achieved_goal| (m)");
        foreach (StepDivergence s in Steps.Where((_, i) => i % Math.Max(1, everyNthStep) == 0 || i == Steps.Count - 1))
        {
            text.AppendLine(c, $"{s.Step,4}  {s.Time.TotalSeconds,7:F3}  {s.Observation,10:G4}  {s.AchievedGoal,10:G4}");
        }
        text.AppendLine(c, $"max |d obs| {MaxObservation:G4}; achieved_goal divergence max {MaxAchievedGoal:G4} m, mean {MeanAchievedGoal:G4} m, final {FinalAchievedGoal:G4} m");
        if (StoppedEarly is not null)
        {
            text.AppendLine(c, $"replay stopped early: {StoppedEarly}");
        }
        return text.ToString();
    }
}
