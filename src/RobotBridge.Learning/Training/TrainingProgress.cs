namespace RobotBridge.Learning.Training;

/// <summary>A snapshot of a training run, reported after every finished episode.</summary>
/// <param name="Steps">Env steps taken so far (including those of a resumed checkpoint).</param>
/// <param name="TotalSteps">Env steps the run is asked to reach.</param>
/// <param name="Episodes">Episodes finished so far.</param>
/// <param name="StepsPerSecond">Env steps per wall-clock second since this process started training.</param>
/// <param name="SuccessRate">Fraction of the last (up to) 100 episodes that ended in success.</param>
/// <param name="MeanReturn">Mean return of the last (up to) 100 episodes.</param>
/// <param name="Losses">Latest losses by name (critic, actor, …); empty before learning starts.</param>
public sealed record TrainingProgress(
    long Steps, long TotalSteps, long Episodes, double StepsPerSecond, double SuccessRate, double MeanReturn,
    IReadOnlyDictionary<string, double> Losses)
{
    /// <summary>Safety stops reset so far when the run trains on a supervised twin that can reset them;
    /// null otherwise.</summary>
    public SupervisorStops? SupervisorStops { get; init; }
}

/// <summary>Receives progress from a trainer (console display, TensorBoard, learning curve).</summary>
public interface ITrainingObserver
{
    void OnProgress(TrainingProgress progress);

    /// <summary>An evaluation of the current policy at a step count (when the run evaluates at checkpoints).</summary>
    void OnEvaluation(long steps, Evaluation.EvaluationResult result) { }
}
