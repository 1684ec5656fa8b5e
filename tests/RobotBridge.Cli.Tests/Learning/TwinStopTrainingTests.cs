using RobotBridge.Cli.Commands;
using RobotBridge.Gym;
using RobotBridge.Gym.Spaces;
using RobotBridge.Gym.Wrappers;
using RobotBridge.Learning.Sac;
using RobotBridge.Learning.Training;
using RobotBridge.Safety;
using RobotBridge.Tasks;

namespace RobotBridge.Cli.Tests.Learning;

/// <summary>
/// Training on the supervised twin goes on past a safety stop: the stop ends its episode as a failure, the
/// simulation's operator resets the latch before the next one, and the run counts and prints the stops.
/// (Before, the next reset threw "no episode starts until the e-stop latch is reset" and the run died.)
/// In the "torch" collection: torch's generator is process-wide, so torch work runs serially.
/// </summary>
[Collection(RobotBridge.Cli.Tests.Quickstart.TorchCollection.Name)]
public sealed class TwinStopTrainingTests : IDisposable
{
    private const string EnvId = "FetchReachDeploy-v1";
    private readonly string _dir = Directory.CreateTempSubdirectory("rb-twin-stop-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Trips the twin's latch (a forced e-stop) before step <paramref name="atStep"/> of the first episode.</summary>
    private sealed class ForcedStop(IEnv<DictValue, float[]> inner, int atStep) : Wrapper<DictValue, float[]>(inner)
    {
        private int _steps;

        public override StepResult<DictValue> Step(float[] action)
        {
            if (++_steps == atStep)
            {
                this.RequireSafetyGuard("the training env").Latch.TripMomentary(EStopSource.Software("test"), "forced stop");
            }
            return base.Step(action);
        }
    }

    [Fact]
    public void Sac_her_on_the_twin_ends_the_stopped_episode_resets_the_latch_and_counts_the_stop()
    {
        CliEnvironments.EnsureRegistered();
        var request = new TrainRequest { EnvId = EnvId, Steps = 60, OutputDirectory = _dir };
        var stops = new SupervisorStopTally();
        using var env = new ForcedStop(PolicyTraining.MakeTrainingEnv<DictValue>(request, stops), atStep: 10);
        // Random actions only (learning starts at 1000 steps): the stop, not the learner, is under test.
        using var trainer = new SacHerTrainer(env, EnvId, new SacHerConfig { Seed = 1 });

        trainer.Train(totalSteps: 60);

        Assert.True(stops.Watching);
        Assert.Equal(60, trainer.Steps); // 10 steps up to the stop, then a whole 50-step episode
        Assert.Equal(2, trainer.Episodes);
        Assert.Equal(1, stops.Stops.Count);
        Assert.Contains("forced stop", stops.Stops.Last);
        Assert.Equal(10, trainer.Buffer.Length(0));
        Assert.False(trainer.Buffer.Terminal(0, 9)); // cut, not terminal: stopping is worth nothing to the learner
        Assert.False(env.RequireSafetyGuard("the training env").Snapshot.IsStopped);
    }

    [Fact]
    public void Train_prints_the_supervisor_stops_of_a_deployable_task()
    {
        string run = Path.Combine(_dir, "run");
        var (code, output, error) = CliInvocation.Run("train", EnvId, "--steps", "50", "--checkpoint-every", "50", "--out", run);
        Assert.True(code == 0, error + output);
        Assert.Contains("step 50/50", output);
        Assert.Contains("supervisor stops: 0", output);
    }
}
