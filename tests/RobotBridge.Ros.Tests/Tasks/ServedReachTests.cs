using RobotBridge.Gym;
using RobotBridge.Gym.Goals;
using RobotBridge.Gym.Spaces;
using RobotBridge.Ros.Tests.Rosbridge;
using RobotBridge.Safety;
using RobotBridge.Tasks;

namespace RobotBridge.Ros.Tests.Tasks;

/// <summary>The Fetch task env unchanged on a rosbridge body: RosFetch → our server → the real-time twin.</summary>
public class ServedReachTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Theory]
    [InlineData("direct")]
    [InlineData("streamed")]
    public async Task FetchReach_runs_an_episode_through_rosbridge_and_reaches_the_goal(string armMotion)
    {
        await using var served = new ServedTwin();
        // The shipped config stops on joint state older than 200 ms (and RosFetch calls the link lost
        // after 0.5 s of silence); a CI machine running the served twin, the server, this client and
        // other test assemblies on two shared cores can stall that long without anything being wrong.
        using var env = served.MakeReachEnv(staleStateAfter: 1.0, linkTimeout: 2.0, armMotion);
        ISafetyGuard supervisor = env.RequireSafetyGuard("the served Reach env");

        var (obs, _) = env.Reset(seed: 7);
        double[] start = (double[])obs.AchievedGoal().Clone();
        // The reset drove the served arm from its tucked home to the task's start pose.
        Assert.Equal(FetchTaskSpec.For(FetchTaskKind.Reach).StartGripPosition.Z, start[2], 0.03);

        var before = supervisor.Counters;
        var controller = new ScriptedFetchController(FetchTaskKind.Reach);
        var action = new float[4];
        StepResult<DictValue> step = default;
        for (int t = 0; t < FetchEnvs.MaxEpisodeSteps; t++)
        {
            controller.Act(obs, action);
            step = env.Step(action);
            obs = step.Observation;
            Assert.False(step.Info.Get(SafetyInfoKeys.Safety).IsStopped, step.Info.Get(SafetyInfoKeys.Safety).ToString());
            if (step.Done)
            {
                break;
            }
        }
        var after = supervisor.Counters;
        output.WriteLine($"{armMotion}: {after.Clamped - before.Clamped} of {after.Forwarded - before.Forwarded} commands retimed or clamped");
        double distance = Math.Sqrt(obs.AchievedGoal().Zip(obs.DesiredGoal(), (a, d) => (a - d) * (a - d)).Sum());
        Assert.True(step.Info.Get(InfoKeys.IsSuccess), $"final distance to goal {distance:F3} m");
        StepTiming timing = step.Info.Get(InfoKeys.Timing);
        Assert.True(timing.ObservationAge < TimeSpan.FromMilliseconds(200), $"observation age {timing.ObservationAge}");
    }
}
