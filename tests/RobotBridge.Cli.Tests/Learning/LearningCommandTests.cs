using RobotBridge.Cli.Commands;
using RobotBridge.Gym;
using RobotBridge.Gym.Spaces;
using RobotBridge.Learning;
using RobotBridge.Learning.Envs;
using RobotBridge.Learning.Policies;
using RobotBridge.Learning.Torch;

namespace RobotBridge.Cli.Tests.Learning;

/// <summary>train / eval / deploy through the command line. In the "torch" collection: torch's generator is process-wide, so torch work runs serially.</summary>
[Collection(RobotBridge.Cli.Tests.Quickstart.TorchCollection.Name)]
public sealed class LearningCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rb-learning-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Output, string Error) Run(params string[] args) => CliInvocation.Run(args);

    [Fact]
    public void Train_writes_the_run_directory_and_eval_reads_its_policy()
    {
        string run = Path.Combine(_dir, "run");
        var (code, output, error) = Run("train", "PointMassGoal-v0", "--steps", "1200", "--checkpoint-every", "600",
            "--eval-episodes", "10", "--out", run);
        Assert.True(code == 0, error + output);
        Assert.Contains("eval at step 600", output);
        Assert.Contains("eval at step 1200", output);
        Assert.Contains("steps/s", output);
        foreach (string file in new[] { "policy.rbpolicy", "checkpoint.rbckpt", "progress.csv", "eval.csv", "learning-curve.png" })
            Assert.True(File.Exists(Path.Combine(run, file)), $"{file} missing");
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(run, "tensorboard"), "events.out.tfevents.*"));
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(Path.Combine(run, "learning-curve.png"))[..4]);

        (code, output, error) = Run("eval", Path.Combine(run, "policy.rbpolicy"), "PointMassGoal-v0", "--episodes", "20");
        Assert.True(code == 0, error + output);
        Assert.Matches(@"success rate \d+\.\d % \(\d+/20\), 95% CI \[", output);

        (code, output, error) = Run("train", "PointMassGoal-v0", "--steps", "1800", "--checkpoint-every", "600", "--out", run, "--resume");
        Assert.True(code == 0, error + output);
        Assert.Contains("step 1800/1800", output);
    }

    [Fact]
    public void Train_stores_scripted_demonstrations_on_a_fetch_task_and_refuses_them_elsewhere()
    {
        string run = Path.Combine(_dir, "demos");
        var (code, output, error) = Run("train", "FetchPush-v4", "--demos", "2", "--steps", "150", "--updates-per-step", "0.5",
            "--random-actions", "0.3", "--checkpoint-every", "150", "--out", run);
        Assert.True(code == 0, error + output);
        Assert.Matches(@"demonstrations: 2 scripted episodes stored before training, [0-2] succeeded", output);
        Assert.Contains("step 150/150", output); // 100 demonstration steps + one episode of the agent's own

        (code, output, error) = Run("train", "PointMassGoal-v0", "--demos", "2", "--out", Path.Combine(_dir, "no-demos"));
        Assert.Equal(1, code);
        Assert.Contains("--demos needs --algo sac-her on a Fetch task", error);

        (code, _, error) = Run("train", "PointMassGoal-v0", "--random-actions", "1.5", "--out", Path.Combine(_dir, "bad-p"));
        Assert.Equal(Program.UsageError, code);
        Assert.Contains("--random-actions must be a finite number between 0 and 1, got 1.5", error);

        (code, _, error) = Run("train", "FetchPush-v4", "--demos", "2", "--bc-weight", "5", "--out", Path.Combine(_dir, "bc"));
        Assert.Equal(1, code);
        Assert.Contains("--bc-weight must be a number ≥ 0 and needs --demos and --demo-batch, got 5", error);
    }

    [Fact]
    public void Train_with_dagger_imitates_the_scripted_controller_and_eval_reads_the_policy()
    {
        string run = Path.Combine(_dir, "dagger");
        var (code, output, error) = Run("train", "FetchReach-v4", "--algo", "dagger", "--demos", "2", "--round-episodes", "1",
            "--hidden", "16,16", "--steps", "150", "--checkpoint-every", "150", "--out", run);
        Assert.True(code == 0, error + output);
        Assert.Matches(@"demonstrations: 2 scripted episodes stored before training, [0-2] succeeded", output);
        Assert.Contains("step 150/150", output); // 100 expert steps, then one round of one policy episode
        (code, output, error) = Run("eval", Path.Combine(run, "policy.rbpolicy"), "FetchReach-v4", "--episodes", "2");
        Assert.True(code == 0, error + output);

        (code, _, error) = Run("train", "PointMassGoal-v0", "--algo", "dagger", "--out", Path.Combine(_dir, "no-expert"));
        Assert.Equal(1, code);
        Assert.Contains("--algo dagger imitates a scripted controller, and 'PointMassGoal-v0' has none", error);

        (code, _, error) = Run("train", "FetchReach-v4", "--round-episodes", "5", "--out", Path.Combine(_dir, "rounds-sac"));
        Assert.Equal(1, code);
        Assert.Contains("--round-episodes and --expert-mixing are dagger's; got --algo sac-her", error);

        (code, _, error) = Run("train", "FetchReach-v4", "--algo", "dagger", "--demos", "2", "--demo-batch", "8", "--out", Path.Combine(_dir, "dagger-bc"));
        Assert.Equal(1, code);
        Assert.Contains("--demo-batch and --bc-weight are SAC+HER's", error);
    }

    [Fact]
    public void Eval_and_deploy_refuse_a_policy_trained_for_other_spaces()
    {
        string policyPath = Path.Combine(_dir, "pointmass.rbpolicy");
        using (var env = GymEnvs.Make<DictValue, float[]>("PointMassGoal-v0"))
        {
            TorchRuntime.Configure(1, 1);
            using var policy = new SquashedGaussianPolicy(PolicyInputs.SpecFor(env, "PointMassGoal-v0", "sac-her", [8]));
            PolicyFile.Save(policy, policyPath);
        }
        var (code, _, error) = Run("eval", policyPath, "FetchReach-v4", "--episodes", "1");
        Assert.Equal(1, code);
        Assert.Contains("does not fit env 'FetchReach-v4'", error);

        string bag = Path.Combine(_dir, "refused.bag");
        (code, _, error) = Run("deploy", policyPath, "--env", "FetchReach-v4", "--robot", "sim", "--record", bag);
        Assert.Equal(1, code);
        Assert.Contains("refused", error);
        Assert.Contains("action space differs", error);
        Assert.False(File.Exists(bag), "a refused policy must not leave a recording");
    }

    [Fact]
    public void Deploy_runs_a_reach_policy_on_the_twin_and_prints_step_timing()
    {
        string policyPath = Path.Combine(_dir, "reach.rbpolicy");
        _ = RobotBridge.Cli.Composition.EnvComposition.Registry;
        using (var env = GymEnvs.Make<DictValue, float[]>("FetchReach-v4"))
        {
            TorchRuntime.Configure(1, 1);
            using var policy = new SquashedGaussianPolicy(PolicyInputs.SpecFor(env, "FetchReach-v4", "sac-her", [16]));
            PolicyFile.Save(policy, policyPath);
        }
        var (code, output, error) = Run("deploy", policyPath, "--robot", "sim", "--episodes", "1");
        Assert.True(code == 0, error + output);
        Assert.Contains("ep 1 step 50:", output);
        Assert.Contains("safety Running", output);
        Assert.Contains("FetchReach-v4 on sim: ", output);
        Assert.Contains("policy inference: p50", output);
    }

    [Fact]
    public void Train_keeps_its_env_options_in_the_policy_and_deploy_runs_with_them()
    {
        string run = Path.Combine(_dir, "streamed");
        var (code, output, error) = Run("train", "FetchReach-v4", "--steps", "150", "--checkpoint-every", "150", "--out", run,
            "--env-option", "arm_motion=streamed");
        Assert.True(code == 0, error + output);
        string policyPath = Path.Combine(run, "policy.rbpolicy");
        using (var policy = PolicyFile.Load(policyPath))
        {
            Assert.Equal("streamed", policy.Spec.EnvSettings?["arm_motion"]);
        }

        // Deploy makes the env with the policy's options: no warning about Gymnasium's quick arm.
        (code, output, error) = Run("deploy", policyPath, "--robot", "sim", "--episodes", "1", "--quiet");
        Assert.True(code == 0, error + output);
        Assert.DoesNotContain("arm_motion=direct", output);

        // A policy trained with the default (direct) arm is deployed with a warning that says what to do.
        string direct = Path.Combine(_dir, "direct");
        (code, output, error) = Run("train", "FetchReach-v4", "--steps", "150", "--checkpoint-every", "150", "--out", direct);
        Assert.True(code == 0, error + output);
        (code, output, error) = Run("deploy", Path.Combine(direct, "policy.rbpolicy"), "--robot", "sim", "--episodes", "1", "--quiet");
        Assert.True(code == 0, error + output);
        Assert.Contains("trained with arm_motion=direct", output);
        Assert.Contains("--env-option arm_motion=streamed", output);
    }

    [Fact]
    public void Train_with_a_longer_episode_keeps_it_for_eval()
    {
        string run = Path.Combine(_dir, "long-episodes");
        var (code, output, error) = Run("train", "FetchReach-v4", "--steps", "240", "--checkpoint-every", "240", "--out", run,
            "--env-option", "max_episode_steps=80");
        Assert.True(code == 0, error + output);
        string[] progress = File.ReadAllLines(Path.Combine(run, "progress.csv"));
        Assert.StartsWith("80,1,", progress[1]); // the first episode ran 80 steps, not Fetch's 50
        using (var policy = PolicyFile.Load(Path.Combine(run, "policy.rbpolicy")))
        {
            Assert.Equal("80", policy.Spec.EnvSettings?["max_episode_steps"]);
            Assert.Equal(80, policy.Spec.EnvOptions().MaxEpisodeSteps);
        }
    }

    [Theory]
    [InlineData("arm_motion", "--env-option must be KEY=VALUE, got 'arm_motion'")]
    [InlineData("robot=sim", "it takes: arm_motion, arm_posture, image_size, max_episode_steps")]
    [InlineData("max_episode_steps=0", "max_episode_steps must be a whole number of steps ≥ 1, got '0'")]
    [InlineData("arm_motion=bogus", "is not one of: direct, streamed")]
    public void Train_refuses_a_bad_env_option_saying_what_is_wrong(string option, string message)
    {
        var (code, output, error) = Run("train", "FetchReach-v4", "--steps", "100", "--out", Path.Combine(_dir, "bad"), "--env-option", option);
        Assert.Equal(TrainCommand.InputError, code);
        Assert.Contains(message, error + output);
    }
}
