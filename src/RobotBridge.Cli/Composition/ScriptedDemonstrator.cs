using RobotBridge.Gym.Spaces;
using RobotBridge.Learning.Sac;
using RobotBridge.Tasks;

namespace RobotBridge.Cli.Composition;

/// <summary>The Fetch tasks' scripted controller as a SAC+HER demonstrator (<c>train --demos N</c>).</summary>
internal sealed class ScriptedDemonstrator(ScriptedFetchController controller) : IDemonstrator
{
    private readonly ScriptedFetchController _controller = controller;

    /// <summary>A demonstrator for a Fetch task id (either family, with that family's action scale), or null for any other env.</summary>
    public static ScriptedDemonstrator? For(string envId) =>
        FetchEnvs.ScriptedFor(envId) is { } controller ? new ScriptedDemonstrator(controller) : null;

    public void BeginEpisode() => _controller.Reset();

    public void Act(DictValue observation, Span<float> action) => _controller.Act(observation, action);
}
