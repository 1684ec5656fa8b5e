using RobotBridge.Gym.Spaces;

namespace RobotBridge.Learning.Sac;

/// <summary>
/// A scripted controller whose episodes seed the SAC+HER replay buffer before training
/// (learning from demonstrations, Nair et al. 2018): on tasks where random exploration rarely
/// touches the object, a few solved episodes give HER relabelling something to learn from.
/// </summary>
public interface IDemonstrator
{
    /// <summary>Forget per-episode state; called before every demonstration episode.</summary>
    void BeginEpisode();

    /// <summary>Writes the action for <paramref name="observation"/>, in env units, into <paramref name="action"/>.</summary>
    void Act(DictValue observation, Span<float> action);
}
