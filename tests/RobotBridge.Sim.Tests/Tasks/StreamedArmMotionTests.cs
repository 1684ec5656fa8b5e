using RobotBridge.Gym;
using RobotBridge.Gym.Registration;
using RobotBridge.Gym.Spaces;
using RobotBridge.Safety;
using RobotBridge.Tasks;
using Xunit.Abstractions;

namespace RobotBridge.Sim.Tests.Tasks;

/// <summary>
/// arm_motion on the twin behind the safety supervisor: streamed goals are what the supervisor passes
/// unchanged; direct goals (Gymnasium's quick arm) are what it has to retime.
/// </summary>
public class StreamedArmMotionTests(ITestOutputHelper output)
{
    // The supervisor times each goal's first segment from the setpoint it modelled from the goals it
    // forwarded (CommandedSetpoints). Timed from the measured arm instead, which lags that setpoint by up
    // to 5.5 mrad and 0.067 rad/s on shoulder_pan, 43 of these 50 goals were retimed.
    [Fact]
    public void Streamed_arm_motion_passes_the_supervisor_unchanged()
    {
        var (streamed, success) = RunScriptedReach("streamed", seed: 3);
        output.WriteLine($"streamed: {streamed}, success {success}");
        Assert.Equal(0, streamed.Clamped);
        Assert.Equal(0, streamed.Rejected);
        Assert.Equal(0, streamed.StopsIssued);
        Assert.True(streamed.Forwarded > 0);
        Assert.True(success, "the scripted controller did not reach the goal with streamed motion");
    }

    [Fact]
    public void Direct_arm_motion_is_retimed_by_the_supervisor()
    {
        // Gymnasium's quick arm: each step's goal reached within the step at velocity limits and no
        // acceleration limit, which the supervisor has to slow to its acceleration limits.
        var (direct, success) = RunScriptedReach("direct", seed: 3);
        output.WriteLine($"direct: {direct}, success {success}");
        Assert.True(direct.Clamped > direct.Forwarded / 2, $"direct goals were rarely retimed: {direct}");
        Assert.Equal(0, direct.Rejected);
        Assert.Equal(0, direct.StopsIssued);
    }

    [Fact]
    public void An_unknown_arm_motion_is_refused_naming_the_option_and_the_choices()
    {
        var error = Assert.Throws<InvalidEnvArgumentException>(() =>
            FetchTaskFixture.Make("FetchReach-v4", new EnvOptions().With(FetchEnvs.ArmMotionOption, "bogus")));
        Assert.Contains("arm_motion", error.Message);
        Assert.Contains("bogus", error.Message);
        Assert.Contains("direct", error.Message);
        Assert.Contains("streamed", error.Message);
    }

    [Fact]
    public void Streamed_goals_after_a_reset_pass_unchanged_too()
    {
        // Each reset puts the twin's arm back at the start pose in an instant, while the supervisor's
        // model of the setpoint still holds the last episode's goal: it must notice the jump and time
        // the new episode's first goal from the measured arm (else those goals are retimed).
        var (counters, _) = RunScriptedReach("streamed", seed: 3, episodes: 3);
        output.WriteLine($"3 streamed episodes: {counters}");
        Assert.Equal(0, counters.Clamped);
        Assert.Equal(0, counters.StopsIssued);
    }

    private static (SupervisorCounters Counters, bool Success) RunScriptedReach(string armMotion, int seed, int episodes = 1)
    {
        using var env = FetchTaskFixture.Make("FetchReach-v4",
            new EnvOptions().With("safety", true).With(FetchEnvs.ArmMotionOption, armMotion));
        ISafetyGuard supervisor = env.RequireSafetyGuard("the supervised Reach env");
        var controller = new ScriptedFetchController(FetchTaskKind.Reach);
        var action = new float[4];
        // The env's first reset moves the arm from the model's home pose: count from there.
        var (obs, _) = env.Reset(seed: seed);
        controller.Reset();
        var before = supervisor.Counters;
        bool success = false;
        for (int episode = 0; episode < episodes; episode++)
        {
            if (episode > 0)
            {
                (obs, _) = env.Reset(seed: seed + episode);
                controller.Reset();
            }
            success = RunEpisode(env, controller, obs, action, armMotion);
        }
        var after = supervisor.Counters;
        return (new SupervisorCounters(after.Forwarded - before.Forwarded, after.Clamped - before.Clamped, after.Rejected - before.Rejected,
            after.DroppedWhileStopped - before.DroppedWhileStopped, after.StopsIssued - before.StopsIssued), success);
    }

    private static bool RunEpisode(IEnv<DictValue, float[]> env, ScriptedFetchController controller, DictValue obs, float[] action, string armMotion)
    {
        bool success = false;
        while (true)
        {
            controller.Act(obs, action);
            var step = env.Step(action);
            obs = step.Observation;
            success = step.Info.Get(InfoKeys.IsSuccess);
            Assert.False(step.Info.Get(SafetyInfoKeys.Safety).IsStopped, $"{armMotion}: {step.Info.Get(SafetyInfoKeys.Safety)}");
            if (step.Done)
            {
                return success;
            }
        }
    }
}
