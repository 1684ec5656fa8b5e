using RobotBridge.Gym;
using RobotBridge.Gym.Goals;
using RobotBridge.Gym.Spaces;
using RobotBridge.Robots;
using RobotBridge.Safety;
using RobotBridge.Tasks;

namespace RobotBridge.Ros.Tests.Rosbridge;

/// <summary>The rosbridge server killed and restarted under a running FetchReach episode on the served twin.</summary>
public class ServedRestartTests
{
    [Fact]
    public async Task After_a_server_restart_the_runstop_is_asserted_again_the_link_clears_and_the_operators_reset_starts_the_next_episode()
    {
        await using var served = new ServedTwin();
        // A 2 s stale-state bound and link timeout: with several test processes on two cores the served
        // twin's joint states stalled just over 1 s during the first move home.
        using var env = served.MakeReachEnv(staleStateAfter: 2.0, linkTimeout: 2.0);
        ISafetyGuard supervisor = env.RequireSafetyGuard("the served Reach env");
        var (obs, _) = env.Reset(seed: 7);
        var controller = new ScriptedFetchController(FetchTaskKind.Reach);
        var action = new float[4];
        bool stopped = false;
        for (int t = 0; t < FetchEnvs.MaxEpisodeSteps && !stopped; t++)
        {
            if (t == 5)
            {
                await served.StopServerAsync();
            }
            controller.Act(obs, action);
            var step = env.Step(action);
            obs = step.Observation;
            stopped = step.Info.Get(SafetyInfoKeys.Safety).IsStopped;
        }
        // The episode may end before the 2 s bounds run out: then the supervisor's own check trips.
        await ServerFixture.Eventually(() =>
        {
            supervisor.Monitor();
            return stopped || supervisor.Snapshot.IsStopped;
        }, "the safety layer stopped the robot when the server went away", TimeSpan.FromSeconds(10));
        await ServerFixture.Eventually(() =>
        {
            supervisor.Monitor();
            return supervisor.Snapshot.ActiveSources.Any(s => s.Source.ToString().Contains("link", StringComparison.Ordinal));
        }, "the link stop source active", TimeSpan.FromSeconds(10));

        // The robot side forgot the runstop (its node restarted with rosbridge); nothing here monitors the
        // supervisor from now on, as between two episodes of a deploy.
        served.Twin.SetRunstop(false);
        served.StartServer();
        var state = new RobotState();
        await ServerFixture.Eventually(() =>
        {
            served.Twin.ReadState(state);
            return state.Runstopped;
        }, "the runstop asserted again on the robot after the reconnect, while the latch is tripped", TimeSpan.FromSeconds(15));

        // The operator's reset is accepted once joint states flow again: the link and stale-state stops have cleared.
        EStopResetResult result = EStopResetResult.SourcesActive;
        await ServerFixture.Eventually(() => (result = supervisor.Latch.TryReset("operator")) == EStopResetResult.Accepted,
            "the operator's reset accepted after the reconnect", TimeSpan.FromSeconds(10));
        Assert.Empty(supervisor.Snapshot.ActiveSources);
        await ServerFixture.Eventually(() =>
        {
            served.Twin.ReadState(state);
            return !state.Runstopped;
        }, "the runstop released by the reset");

        // The next episode runs.
        (obs, _) = env.Reset(seed: 8);
        for (int t = 0; t < 10; t++)
        {
            controller.Act(obs, action);
            var step = env.Step(action);
            obs = step.Observation;
            Assert.False(step.Info.Get(SafetyInfoKeys.Safety).IsStopped, $"the episode after the restart stopped at step {t}: {step.Info.Get(SafetyInfoKeys.Safety)}");
        }
    }
}
