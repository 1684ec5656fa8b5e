using RobotBridge.Gym.Spaces;
using RobotBridge.Learning.Sac;
using RobotBridge.Tasks;

namespace RobotBridge.Cli.Composition;

/// <summary>The Fetch tasks' scripted controller as a SAC+HER demonstrator (<c>train --demos N</c>).</summary>
internal sealed class ScriptedDemonstrator(FetchTaskKind kind) : IDemonstrator
{
    private readonly ScriptedFetchController _controller = new(kind);

    /// <summary>A demonstrator for a Fetch task id, or null for any other env.</summary>
    public static ScriptedDemonstrator? For(string envId) =>
        FetchEnvs.TryGetKind(envId, out FetchTaskKind kind) ? new ScriptedDemonstrator(kind) : null;

    public void BeginEpisode() => _controller.Reset();

    public void Act(DictValue observation, Span<float> action) => _controller.Act(observation, action);
}
