using RobotBridge.Cli.Composition;
using RobotBridge.Gym;
using RobotBridge.Gym.Registration;
using RobotBridge.Gym.Spaces;
using RobotBridge.Learning.Deployment;
using RobotBridge.Learning.Policies;
using RobotBridge.Ros.Fetch;
using RobotBridge.Ros.Protocol;
using RobotBridge.Ros.Server;
using RobotBridge.Ros.Tasks;
using RobotBridge.Safety;
using RobotBridge.Sim.Twin;
using RobotBridge.Tasks;

namespace RobotBridge.Cli.Tests.Learning;

/// <summary>
/// The project's promise end to end: a policy trained on the lockstep twin, saved and loaded, runs
/// unchanged through RosFetch → our rosbridge server → the real-time twin, and reaches the goal.
/// </summary>
[Collection(RobotBridge.Cli.Tests.Quickstart.TorchCollection.Name)] // seeded training: no other torch work in parallel
public sealed class ServedTwinDeployTests(TrainedReachPolicy reach)
{
    [Fact]
    public async Task Reach_policy_trained_on_the_twin_succeeds_over_rosbridge()
    {
        // 1. A policy trained with SAC+HER on the lockstep twin, saved and loaded (the collection's shared one).
        using var policy = PolicyFile.Load(reach.PolicyPath);

        // 2. Serve a real-time twin over rosbridge, as `robotbridge serve` does.
        using var twin = new FetchTwin(new FetchTwinOptions { ClockMode = TwinClockMode.RealTime, Camera = HeadCameraOptions.Off });
        await using var server = new RosbridgeServer(new RosbridgeServerOptions { Port = 0, Dialect = RosDialect.Ros1 });
        server.Start();
        using var node = new FetchRobotNode(server, twin);

        var registry = new EnvRegistry();
        FetchEnvs.Register(registry, new FetchBodyProviders(new RosFetchBodyProvider()));
        using var env = registry.Make<DictValue, float[]>("FetchReach-v4", new EnvOptions()
            .With(FetchEnvs.RobotOption, server.Uri.ToString())); // the shipped safety config, 0.2 s staleness bound included

        // 3. Deploy: same file, other body.
        var steps = new List<DeployStep>();
        var result = PolicyDeployment.Run(policy, env, "FetchReach-v4 over rosbridge", episodes: 1, seed: 21, onStep: steps.Add);

        Assert.Null(result.StoppedBy);
        Assert.Equal(1, result.Successes);
        Assert.Equal(FetchEnvs.MaxEpisodeSteps, steps.Count);
        Assert.All(steps, s => Assert.False(s.Safety?.IsStopped ?? true, s.Safety?.ToString() ?? "no safety info"));
        // Wall-clock pacing: the served twin runs in real time, so a step takes on the order of the 40 ms period.
        Assert.True(result.Step.P50 > TimeSpan.FromMilliseconds(10), $"step p50 {result.Step.P50}");
    }
}
