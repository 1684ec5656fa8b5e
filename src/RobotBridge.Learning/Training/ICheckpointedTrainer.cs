using RobotBridge.Learning.Policies;

namespace RobotBridge.Learning.Training;

/// <summary>What <see cref="PolicyTraining"/> needs of a trainer to run it in checkpointed stretches:
/// train up to a step count, save and restore its whole state, and its policy to evaluate and save.</summary>
public interface ICheckpointedTrainer
{
    SquashedGaussianPolicy Policy { get; }

    /// <summary>Env steps taken so far (survives checkpoint and resume).</summary>
    long Steps { get; }

    long Episodes { get; }

    /// <summary>Trains until <see cref="Steps"/> reaches <paramref name="totalSteps"/> (a trainer that works in
    /// rounds or rollouts may pass it by less than one).</summary>
    void Train(long totalSteps, ITrainingObserver? observer = null, CancellationToken cancel = default);

    void SaveCheckpoint(string path);

    void LoadCheckpoint(string path, Action<string>? warning = null);

    /// <summary>Continues the episode count of a run whose checkpoint predates storing it.</summary>
    void ContinueEpisodeCount(long episodes);
}
