using RobotBridge.Gym;
using RobotBridge.Gym.Goals;
using RobotBridge.Gym.Spaces;
using RobotBridge.Robots;
using RobotBridge.Safety;
using RobotBridge.Tasks;

namespace RobotBridge.Ros.Tests.Rosbridge;

/// <summary>A pulled rosbridge link in the middle of a FetchReach episode on the served twin.</summary>
public class ServedReachOutageTests
{
    [Fact]
    public async Task Pulled_link_mid_episode_is_reported_in_info_stops_the_arm_and_the_link_comes_back()
    {
        await using var served = new ServedTwin();
        // As in ServedReachTests: a 1 s stale-state limit and a 2 s link timeout, because two shared CI cores can stall 200 ms.
        using var env = served.MakeReachEnv(staleStateAfter: 1.0, linkTimeout: 2.0);
        var (obs, _) = env.Reset(seed: 7);
        var controller = new ScriptedFetchController(FetchTaskKind.Reach);
        var action = new float[4];
        bool linkLostReported = false, stopped = false;
        for (int t = 0; t < FetchEnvs.MaxEpisodeSteps; t++)
        {
            if (t == 5)
            {
                served.Server.DropAllConnections();
            }
            controller.Act(obs, action);
            var step = env.Step(action);
            obs = step.Observation;
            linkLostReported |= step.Info.Get(FetchTaskInfoKeys.LinkLost);
            stopped |= step.Info.Get(SafetyInfoKeys.Safety).IsStopped;
            if (linkLostReported && stopped)
            {
                break;
            }
        }
        Assert.True(linkLostReported, "no step reported link_lost in its info after the connection was pulled");
        Assert.True(stopped, "the safety layer did not stop the robot on the outage");

        // The served side stopped the twin when its commanding client vanished: the arm holds still.
        var state = new RobotState();
        await Task.Delay(500);
        served.Twin.ReadState(state);
        double[] before = (double[])state.Position.Clone();
        await Task.Delay(500);
        served.Twin.ReadState(state);
        double drift = FetchJoints.Arm.Select(j => Math.Abs(state.Position[FetchJoints.IndexOf(j)] - before[FetchJoints.IndexOf(j)])).Max();
        Assert.True(drift < 0.01, $"arm still moving {drift} rad per 0.5 s after the outage");

        // The link comes back by itself: RosFetch reconnects and resubscribes.
        await ServerFixture.Eventually(() => served.Server.ClientCount >= 1, "client reconnected", TimeSpan.FromSeconds(10));
    }
}
