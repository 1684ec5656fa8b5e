using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using RobotBridge.Cli.Composition;
using RobotBridge.Gym.Registration;
using RobotBridge.Learning.Training;
using RobotBridge.Tasks;
using Spectre.Console;

namespace RobotBridge.Cli.Commands;

/// <summary>
/// `robotbridge train ENV --algo sac-her|ppo --steps N`: trains a policy on a registered env with live
/// progress, checkpoints, TensorBoard events and a PNG learning curve; `--resume` continues a run.
/// </summary>
internal static class TrainCommand
{
    public const int InputError = 1;

    /// <summary>Widest hidden layer accepted: 4096 already makes SAC's five networks ~2 GB with Adam's state.</summary>
    private const int MaxHiddenWidth = 4096;
    private const int MaxHiddenLayers = 16;

    public static Command Create()
    {
        var env = new Argument<string>("ENV") { Description = "Registered env id, e.g. PointMassGoal-v0 or FetchReach-v4" };
        var algo = new Option<string>("--algo") { Description = "sac-her (goal envs), dagger (Fetch tasks: imitate the scripted controller, which labels the states the policy visits) or ppo (vector envs)", DefaultValueFactory = _ => "sac-her" };
        algo.AcceptOnlyFromAmong("sac-her", "dagger", "ppo");
        var steps = new Option<long>("--steps") { Description = "Env steps to train for (total, including a resumed run's)", DefaultValueFactory = _ => 20_000 }.Range(1, long.MaxValue);
        var output = new Option<string?>("--out") { Description = "Run directory (default: runs/ENV-ALGO); an existing run is continued with --resume or replaced with --force" }.OutputDirectory();
        var seed = new Option<int>("--seed") { Description = "Seed of torch, the env and the replay sampling", DefaultValueFactory = _ => 1 };
        var threads = new Option<int>("--threads") { Description = "Torch intra-op threads (results are reproducible for a fixed seed and thread count); at most the core count", DefaultValueFactory = _ => 1 }.Range(1, int.MaxValue);
        var envs = new Option<int>("--envs") { Description = "PPO: parallel sub-envs", DefaultValueFactory = _ => 4 }.Range(1, 64);
        var checkpointEvery = new Option<long>("--checkpoint-every") { Description = "Env steps between checkpoints", DefaultValueFactory = _ => 10_000 }.Range(1, long.MaxValue);
        var hidden = new Option<string?>("--hidden") { Description = "Hidden layer widths, e.g. 256,256,256 (default: 64,64 as the RL Zoo uses for FetchReach)" };
        var resume = new Option<bool>("--resume") { Description = "Continue from the run directory's checkpoint" };
        var force = new Option<bool>("--force") { Description = "Replace an existing run in --out (its policy, checkpoint, logs and curve) instead of refusing" };
        var updatesPerStep = new Option<double>("--updates-per-step") { Description = "SAC+HER: gradient steps per env step; fractions allowed (default 1, as the RL Zoo; the OpenAI baselines use 0.4); dagger: gradient steps after each round per env step of the round", DefaultValueFactory = _ => 1.0 }.Range(0, 1000);
        var randomActions = new Option<double>("--random-actions") { Description = "SAC+HER: probability of a uniformly random action at each step (default 0; the OpenAI baselines use 0.3)", DefaultValueFactory = _ => 0.0 }.Range(0, 1);
        var demos = new Option<int>("--demos") { Description = "SAC+HER on a Fetch task: store this many episodes of the scripted controller before training (counted as env steps); dagger: its first round, the controller's own episodes (default 100)", DefaultValueFactory = _ => 0 }.Range(0, 1_000_000);
        var roundEpisodes = new Option<int>("--round-episodes") { Description = "dagger: episodes per round after the first, acted by the policy and labelled by the scripted controller (default 20)", DefaultValueFactory = _ => 20 }.Range(1, 1_000_000);
        var expertMixing = new Option<double>("--expert-mixing") { Description = "dagger: probability β that a step of round 1 executes the controller's action instead of the policy's; it halves every round (default 0.5)", DefaultValueFactory = _ => 0.5 }.Range(0, 1);
        var demoBatch = new Option<int>("--demo-batch") { Description = "SAC+HER with --demos: keep the demonstrations apart and add this many of their transitions to every batch (default 0: they join the replay buffer)", DefaultValueFactory = _ => 0 }.Range(0, 1_000_000);
        var bcWeight = new Option<double>("--bc-weight") { Description = "SAC+HER with --demos and --demo-batch: weight of Q-filtered behaviour cloning towards the demonstrations (default 0: learn from them through the critics only)", DefaultValueFactory = _ => 0.0 }.Range(0, double.PositiveInfinity);
        var envOption = new Option<string[]>("--env-option")
        {
            Description = "Env option KEY=VALUE to train with, kept in the policy file for eval and deploy (repeatable); " +
                $"Fetch tasks take {FetchEnvs.ArmMotionOption}=direct|streamed (streamed: the arm moves within the Fetch's acceleration limits, as deploy runs it); " +
                $"any env takes {EnvOptions.MaxEpisodeStepsKey}=N (episode length, default the env's: 50 for Fetch tasks)",
            AllowMultipleArgumentsPerToken = false,
        };
        var evalEpisodes = new Option<int>("--eval-episodes") { Description = "Evaluate over this many episodes at every checkpoint (0 = off); drawn on the learning curve", DefaultValueFactory = _ => 0 }.Range(0, 1_000_000);

        var command = new Command("train",
            "Train a policy on the simulated twin (or any registered env).\n" +
            "Examples: robotbridge train FetchReach-v4 --algo sac-her --steps 20000\n" +
            "          robotbridge train PointMassGoalDense-v0 --algo ppo --steps 50000 --envs 8\n" +
            "          robotbridge train FetchReach-v4 --steps 40000 --resume");
        command.Arguments.Add(env);
        // SAC+HER hyper-parameters (defaults: the RL Zoo's FetchReach settings, SacHerConfig).
        var batchSize = new Option<int>("--batch-size") { Description = "SAC+HER: transitions per gradient step (default 256)", DefaultValueFactory = _ => 256 }.Range(1, 1_000_000);
        var gamma = new Option<double>("--gamma") { Description = "SAC+HER: discount γ in (0, 1] (default 0.95)", DefaultValueFactory = _ => 0.95 }.Range(1e-9, 1);
        var tau = new Option<double>("--tau") { Description = "SAC+HER: Polyak rate τ of the target critics in (0, 1] (default 0.05)", DefaultValueFactory = _ => 0.05 }.Range(1e-9, 1);
        var learningRate = new Option<double>("--lr") { Description = "SAC+HER: Adam learning rate of actor, critics and temperature (default 1e-3)", DefaultValueFactory = _ => 1e-3 }.Range(1e-9, 1);
        foreach (var o in new Option[] { algo, steps, output, seed, threads, envs, checkpointEvery, resume, force, evalEpisodes, hidden, updatesPerStep, randomActions, demos, demoBatch, bcWeight, roundEpisodes, expertMixing, envOption, batchSize, gamma, tau, learningRate }) command.Options.Add(o);
        var distributed = new DistributedTrainOptions();
        foreach (var o in distributed.All) command.Options.Add(o);
        command.SetAction((parse, cancel) =>
        {
            TextWriter stdout = parse.InvocationConfiguration.Output, stderr = parse.InvocationConfiguration.Error;
            string envId = parse.GetValue(env)!, algorithm = parse.GetValue(algo)!;
            string dir = parse.GetValue(output) ?? Path.Combine("runs", $"{envId}-{algorithm}");
            string checkpoint = Path.Combine(dir, PolicyTraining.CheckpointFileName);
            if (parse.GetValue(resume) && !File.Exists(checkpoint))
            {
                stderr.WriteLine($"robotbridge train: --resume given but '{checkpoint}' does not exist; train without --resume first.");
                return Task.FromResult(InputError);
            }
            if (parse.GetValue(resume) && parse.GetValue(force))
            {
                throw new CliUsageException("--resume continues the run in --out and --force replaces it: give one of them");
            }
            if (!parse.GetValue(resume) && RunFiles.Existing(dir) is { Count: > 0 } existing)
            {
                if (!parse.GetValue(force))
                {
                    throw new CliUsageException($"--out '{dir}' already holds a run ({string.Join(", ", existing)}); continue it with --resume, replace it with --force, or choose another --out");
                }
                RunFiles.Delete(dir);
                stderr.WriteLine($"robotbridge train: --force: replaced the run in '{dir}'");
            }
            int threadCount = ThreadLimit.Cap(parse.GetValue(threads), "--threads", stderr, "robotbridge train");
            int[]? widths = null;
            if (parse.GetValue(hidden) is { } h)
            {
                var parts = h.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                widths = new int[parts.Length];
                for (int i = 0; i < parts.Length; i++)
                {
                    if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out widths[i]) || widths[i] < 1 || widths[i] > MaxHiddenWidth)
                    {
                        throw new CliUsageException($"--hidden must be widths from 1 to {MaxHiddenWidth} separated by commas (e.g. 256,256,256), got '{h}'");
                    }
                }
                if (parts.Length is 0 or > MaxHiddenLayers)
                {
                    throw new CliUsageException($"--hidden must name 1 to {MaxHiddenLayers} layers, got '{h}'");
                }
            }
            double updates = parse.GetValue(updatesPerStep), randomProbability = parse.GetValue(randomActions);
            int demoEpisodes = parse.GetValue(demos);
            double cloning = parse.GetValue(bcWeight);
            int demoBatchSize = parse.GetValue(demoBatch);
            if (demoBatchSize < 0 || (demoBatchSize > 0 && demoEpisodes == 0))
            {
                stderr.WriteLine($"robotbridge train: --demo-batch must be ≥ 0 and needs --demos, got --demo-batch {demoBatchSize} with --demos {demoEpisodes}");
                return Task.FromResult(InputError);
            }
            if (!(cloning >= 0) || double.IsInfinity(cloning) || (cloning > 0 && demoBatchSize == 0))
            {
                stderr.WriteLine($"robotbridge train: --bc-weight must be a number ≥ 0 and needs --demos and --demo-batch, got {cloning}");
                return Task.FromResult(InputError);
            }
            if (demoEpisodes < 0)
            {
                stderr.WriteLine($"robotbridge train: --demos must be ≥ 0, got {demoEpisodes}");
                return Task.FromResult(InputError);
            }
            if (!TryParseEnvOptions(parse.GetValue(envOption) ?? [], out var envSettings, out string? envOptionError))
            {
                stderr.WriteLine($"robotbridge train: {envOptionError}");
                return Task.FromResult(InputError);
            }
            bool dagger = algorithm == "dagger";
            var demonstrator = demoEpisodes > 0 || dagger ? ScriptedDemonstrator.For(envId) : null;
            if (dagger && demonstrator is null)
            {
                stderr.WriteLine($"robotbridge train: --algo dagger imitates a scripted controller, and '{envId}' has none (the Fetch tasks do)");
                return Task.FromResult(InputError);
            }
            if (dagger && (demoBatchSize > 0 || cloning > 0))
            {
                stderr.WriteLine("robotbridge train: --demo-batch and --bc-weight are SAC+HER's; --algo dagger clones every labelled state");
                return Task.FromResult(InputError);
            }
            if (!dagger && (parse.GetResult(roundEpisodes) is { Implicit: false } || parse.GetResult(expertMixing) is { Implicit: false }))
            {
                stderr.WriteLine($"robotbridge train: --round-episodes and --expert-mixing are dagger's; got --algo {algorithm}");
                return Task.FromResult(InputError);
            }
            if (demoEpisodes > 0 && !dagger && (demonstrator is null || algorithm != "sac-her"))
            {
                stderr.WriteLine($"robotbridge train: --demos needs --algo sac-her on a Fetch task (the scripted controller demonstrates those); got {algorithm} on '{envId}'");
                return Task.FromResult(InputError);
            }
            var sac = new RobotBridge.Learning.Sac.SacHerConfig
            {
                GradientStepsPerEnvStep = updates, RandomActionProbability = randomProbability, DemonstrationEpisodes = demoEpisodes, DemonstrationBatchSize = demoBatchSize, BehaviourCloningWeight = cloning,
                BatchSize = parse.GetValue(batchSize), Gamma = parse.GetValue(gamma), Tau = parse.GetValue(tau), LearningRate = parse.GetValue(learningRate)
            };
            var request = new TrainRequest
            {
                EnvId = envId, Algorithm = algorithm, Steps = parse.GetValue(steps), OutputDirectory = dir,
                Seed = parse.GetValue(seed), Threads = threadCount, NumEnvs = parse.GetValue(envs),
                Sac = widths is null ? sac : sac with { HiddenSizes = widths },
                Demonstrator = demonstrator,
                Ppo = widths is null ? new() : new() { HiddenSizes = widths },
                Dagger = new RobotBridge.Learning.Imitation.DaggerConfig
                {
                    ExpertEpisodes = demoEpisodes > 0 ? demoEpisodes : 100, RoundEpisodes = parse.GetValue(roundEpisodes), ExpertMixing = parse.GetValue(expertMixing),
                    GradientStepsPerEnvStep = updates, BatchSize = parse.GetValue(batchSize), LearningRate = parse.GetValue(learningRate),
                    HiddenSizes = widths ?? [256, 256, 256],
                },
                EnvSettings = envSettings,
                CheckpointEvery = parse.GetValue(checkpointEvery), EvalEpisodes = parse.GetValue(evalEpisodes), ResumeFrom = parse.GetValue(resume) ? checkpoint : null,
                Warning = warning => stderr.WriteLine($"robotbridge train: warning: {warning}"),
            };
            try
            {
                if (parse.GetValue(distributed.Workers) is not null) return Task.FromResult(distributed.Run(parse, request, stdout, cancel));
                CliEnvironments.EnsureRegistered();
                var result = TrainingConsole.Run(stdout, request.Steps, view => PolicyTraining.Train(request, view, cancel));
                if (result.Demonstrations.Episodes > 0)
                    stdout.WriteLine($"demonstrations: {result.Demonstrations.Episodes} scripted episodes stored before training, {result.Demonstrations.Successes} succeeded");
                if (result.SupervisorStops is { } stops)
                    stdout.WriteLine(stops.Count == 0 ? $"{stops}" : $"{stops}; each ended its episode as a failure and training reset the twin's latch");
                stdout.WriteLine($"policy:     {result.PolicyPath}");
                stdout.WriteLine($"checkpoint: {result.CheckpointPath}");
                stdout.WriteLine($"curve:      {result.CurvePath}");
                stdout.WriteLine($"tensorboard: tensorboard --logdir {Path.Combine(result.LogDirectory, "tensorboard")}");
                stdout.WriteLine($"next: robotbridge eval {result.PolicyPath} {envId} --episodes 100");
                return Task.FromResult(0);
            }
            catch (Exception e) when (e is ArgumentException or InvalidDataException or NotSupportedException or FileNotFoundException or RobotBridge.Gym.EnvRegistrationException)
            {
                stderr.WriteLine($"robotbridge train: {e.Message}");
                return Task.FromResult(InputError);
            }
        });
        return command;
    }

    /// <summary>Env options a training run may set: the ones that change what the policy learns, not
    /// which body runs it (that is deploy's --robot).</summary>
    private static readonly string[] TrainingEnvOptions = [FetchEnvs.ArmMotionOption, FetchEnvs.ArmPostureOption, FetchEnvs.ImageSizeOption, EnvOptions.MaxEpisodeStepsKey];

    private static bool TryParseEnvOptions(string[] pairs, out Dictionary<string, string> settings, out string? error)
    {
        settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string pair in pairs)
        {
            int eq = pair.IndexOf('=');
            string key = eq > 0 ? pair[..eq].Trim() : "";
            if (eq <= 0 || eq == pair.Length - 1)
            {
                error = $"--env-option must be KEY=VALUE, got '{pair}'";
                return false;
            }
            if (Array.IndexOf(TrainingEnvOptions, key) < 0)
            {
                error = $"--env-option '{key}' is not an option training takes; it takes: {string.Join(", ", TrainingEnvOptions)}";
                return false;
            }
            string value = pair[(eq + 1)..].Trim();
            if (key == EnvOptions.MaxEpisodeStepsKey && !(int.TryParse(value, CultureInfo.InvariantCulture, out int limit) && limit > 0))
            {
                error = $"--env-option {EnvOptions.MaxEpisodeStepsKey} must be a whole number of steps ≥ 1, got '{value}'";
                return false;
            }
            settings[key] = value;
        }
        error = null;
        return true;
    }
}

/// <summary>Live training progress: a Spectre progress bar on a terminal, a line every two seconds otherwise.</summary>
internal sealed class TrainingConsole : ITrainingObserver
{
    private readonly Action<TrainingProgress> _show;
    private readonly TextWriter _output;

    private TrainingConsole(Action<TrainingProgress> show, TextWriter output)
    {
        _show = show;
        _output = output;
    }

    public void OnProgress(TrainingProgress progress) => _show(progress);

    public void OnEvaluation(long steps, RobotBridge.Learning.Evaluation.EvaluationResult result) =>
        _output.WriteLine($"eval at step {steps}: {result}");

    public static T Run<T>(TextWriter output, long totalSteps, Func<ITrainingObserver, T> train)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
        if (!console.Profile.Capabilities.Interactive)
        {
            var clock = Stopwatch.StartNew();
            TimeSpan last = -TimeSpan.FromSeconds(2);
            TrainingProgress? latest = null;
            var result = train(new TrainingConsole(p =>
            {
                latest = p;
                if (clock.Elapsed - last < TimeSpan.FromSeconds(2)) return;
                last = clock.Elapsed;
                output.WriteLine(Describe(p));
            }, output));
            if (latest is not null) output.WriteLine(Describe(latest));
            return result;
        }
        T value = default!;
        console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("training", maxValue: totalSteps);
                value = train(new TrainingConsole(p =>
                {
                    task.Value = p.Steps;
                    task.Description = Markup.Escape(Describe(p));
                }, output));
                task.Value = task.MaxValue;
            });
        return value;
    }

    private static string Describe(TrainingProgress p) => string.Create(CultureInfo.InvariantCulture,
        $"step {p.Steps}/{p.TotalSteps}  {p.StepsPerSecond:F0} steps/s  success {p.SuccessRate:P0}  return {p.MeanReturn:F1}  episodes {p.Episodes}") + Stops(p.SupervisorStops);

    /// <summary>The run's safety stops for a progress line: the count, and the last one's cause once there is one.</summary>
    private static string Stops(SupervisorStops? stops) => stops is null ? "" : $"  {stops}";
}
