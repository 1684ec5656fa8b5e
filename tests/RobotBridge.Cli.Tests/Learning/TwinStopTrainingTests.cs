using RobotBridge.Cli.Commands;
using RobotBridge.Gym;
using RobotBridge.Gym.Spaces;
using RobotBridge.Gym.Wrappers;
using RobotBridge.Learning.Sac;
using RobotBridge.Learning.Training;
using RobotBridge.Safety;
using RobotBridge.Tasks;
using RobotBridge.TestSupport;

namespace RobotBridge.Cli.Tests.Learning;

/// <summary>
/// Training on the supervised twin goes on past a safety stop: the stop ends its episode as a failure, the
/// simulation's operator resets the latch before the next one, and the run counts and prints the stops.
/// (Before, the next reset threw "no episode starts until the e-stop latch is reset" and the run died.)
/// In the "torch" collection: torch's generator is process-wide, so torch work runs serially.
/// </summary>
[Collection(RobotBridge.Cli.Tests.Quickstart.TorchCollection.Name)]
public sealed class TwinStopTrainingTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private const string EnvId = "FetchReachDeploy-v1";
    private readonly string _dir = Directory.CreateTempSubdirectory("rb-twin-stop-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Sac_her_on_the_twin_ends_the_stopped_episode_resets_the_latch_and_counts_the_stop()
    {
        CliEnvironments.EnsureRegistered();
        var request = new TrainRequest { EnvId = EnvId, Steps = 60, OutputDirectory = _dir };
        var stops = new SupervisorStopTally();
        using var env = new ForcedSafetyStop(PolicyTraining.MakeTrainingEnv<DictValue>(request, stops), atStep: 10);
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

    [Theory]
    [InlineData("sac-her")]
    [InlineData("ppo")]
    public void A_run_whose_supervisor_stops_the_fingers_trains_on_and_reports_the_stops(string algorithm)
    {
        // The stop that ended a 150k-step PickAndPlace run, made certain: the fingers' speed limit narrowed to
        // 0.02 m/s, so the leadscrew's 0.05 m/s is over 1.5 × the limit whenever the gripper moves.
        string config = Path.Combine(_dir, "slow-fingers.json");
        using (var shipped = typeof(SafetyConfig).Assembly.GetManifestResourceStream("RobotBridge.Safety.fetch-safety.json")!)
        using (var reader = new StreamReader(shipped))
        {
            var json = System.Text.Json.Nodes.JsonNode.Parse(reader.ReadToEnd())!;
            json["velocity_limits"]!["l_gripper_finger_joint"] = 0.02;
            json["velocity_limits"]!["r_gripper_finger_joint"] = 0.02;
            File.WriteAllText(config, json.ToJsonString());
        }
        CliEnvironments.EnsureRegistered();
        var request = new TrainRequest
        {
            EnvId = "FetchPickAndPlaceDeploy-v1", Algorithm = algorithm, Steps = 300, CheckpointEvery = 300, OutputDirectory = Path.Combine(_dir, "pnp"),
            NumEnvs = 2, Ppo = new() { RolloutSteps = 75, Epochs = 1 },
            EnvSettings = new Dictionary<string, string> { ["safety_config"] = config },
        };
        var progress = new List<TrainingProgress>();

        var result = PolicyTraining.Train(request, new Progress(progress.Add));

        output.WriteLine($"{algorithm}: {result.Steps} steps, {result.Episodes} episodes, {result.SupervisorStops}");
        Assert.True(result.Steps >= 300, $"{result.Steps} steps"); // PPO ends on whole rollouts
        SupervisorStops stops = result.SupervisorStops ?? throw new Xunit.Sdk.XunitException("no stop count from a supervised twin");
        Assert.True(stops.Count >= 2, $"{stops}"); // training went on past the first stop
        Assert.Contains("gripper_finger_joint moves at", stops.Last);
        Assert.True(stops.Count <= result.Episodes, $"{result.Episodes} episodes, {stops}"); // each stop ended an episode
        Assert.Equal(stops, progress[^1].SupervisorStops);
    }

    private sealed class Progress(Action<TrainingProgress> report) : ITrainingObserver
    {
        public void OnProgress(TrainingProgress progress) => report(progress);
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
