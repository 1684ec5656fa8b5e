using RobotBridge.Gym;
using RobotBridge.Gym.Registration;
using RobotBridge.Gym.Spaces;
using RobotBridge.Gym.Vector;
using RobotBridge.Learning.Evaluation;
using RobotBridge.Learning.Imitation;
using RobotBridge.Learning.Policies;
using RobotBridge.Learning.Ppo;
using RobotBridge.Learning.Sac;
using RobotBridge.Safety;
using RobotBridge.Tasks;

namespace RobotBridge.Learning.Training;

/// <summary>What to train: env id (from the Gym registry), algorithm, budget, where to write.</summary>
public sealed record TrainRequest
{
    public required string EnvId { get; init; }

    /// <summary>"sac-her" (goal envs), "dagger" (goal envs with a scripted expert, <see cref="Demonstrator"/>)
    /// or "ppo" (any Box-action env, run as a vector env).</summary>
    public string Algorithm { get; init; } = "sac-her";
    public required long Steps { get; init; }

    /// <summary>Receives policy.rbpolicy, checkpoint, progress.csv, tensorboard/, learning-curve.png.</summary>
    public required string OutputDirectory { get; init; }
    public int Seed { get; init; } = 1;
    public int Threads { get; init; } = 1;

    /// <summary>PPO only: parallel sub-envs.</summary>
    public int NumEnvs { get; init; } = 4;

    /// <summary>Save a checkpoint at least this often (env steps).</summary>
    public long CheckpointEvery { get; init; } = 10_000;

    /// <summary>Evaluate the policy (deterministic actions, fresh env) over this many episodes at
    /// every checkpoint and log the success rate with its Wilson interval; 0 = no evaluation.</summary>
    public int EvalEpisodes { get; init; }

    /// <summary>Checkpoint to continue from, or null for a fresh run.</summary>
    public string? ResumeFrom { get; init; }

    /// <summary>Told what the user should know but that does not stop the run (e.g. a checkpoint without a checksum).</summary>
    public Action<string>? Warning { get; init; }

    /// <summary>SAC+HER settings (seed and threads are taken from this request).</summary>
    public SacHerConfig Sac { get; init; } = new();

    /// <summary>SAC+HER: scripted controller for <see cref="SacHerConfig.DemonstrationEpisodes"/>; DAgger: the expert.</summary>
    public IDemonstrator? Demonstrator { get; init; }

    /// <summary>DAgger settings (seed and threads are taken from this request).</summary>
    public DaggerConfig Dagger { get; init; } = new();

    /// <summary>PPO settings (seed and threads are taken from this request).</summary>
    public PpoConfig Ppo { get; init; } = new();

    /// <summary>Env options to train with (e.g. <c>arm_motion=streamed</c>); the policy file keeps them.</summary>
    public IReadOnlyDictionary<string, string> EnvSettings { get; init; } = new Dictionary<string, string>();

    /// <summary><see cref="EnvSettings"/> as the registry takes them.</summary>
    public EnvOptions EnvOptions() => Gym.Registration.EnvOptions.Of(EnvSettings);
}

/// <summary>Files a training run produced.</summary>
public sealed record TrainResult(string PolicyPath, string CheckpointPath, string CurvePath, string LogDirectory, long Steps, long Episodes)
{
    /// <summary>Scripted episodes this run stored before training, and how many of them succeeded (0 and 0 without demonstrations).</summary>
    public (int Episodes, int Successes) Demonstrations { get; init; }

    /// <summary>Safety stops the simulation's operator reset during this run (training and its evaluations);
    /// null when the env has no supervised twin to reset (<see cref="TwinStopRecovery{TObs, TAct}"/>).</summary>
    public SupervisorStops? SupervisorStops { get; init; }
}

/// <summary>
/// Library entry point for training: builds the env from the registry, runs SAC+HER or PPO with
/// periodic checkpoints, TensorBoard events and progress.csv, then saves the policy and the PNG
/// learning curve. Used by <c>robotbridge train</c> and by the quickstart.
/// </summary>
public static class PolicyTraining
{
    public const string PolicyFileName = "policy.rbpolicy";
    public const string CheckpointFileName = "checkpoint.rbckpt";
    public const string CurveFileName = "learning-curve.png";

    public static TrainResult Train(TrainRequest request, ITrainingObserver? observer = null, CancellationToken cancel = default)
    {
        if (request.Steps < 1) throw new ArgumentOutOfRangeException(nameof(request), request.Steps, "train for at least one step");
        // 0 would never advance: the loop below would rewrite the checkpoint forever.
        if (request.CheckpointEvery < 1) throw new ArgumentOutOfRangeException(nameof(request), request.CheckpointEvery, "checkpoint at least every step (CheckpointEvery ≥ 1)");
        Directory.CreateDirectory(request.OutputDirectory);
        using var log = new TrainingLog(request.OutputDirectory);
        var stops = new SupervisorStopTally();
        var observers = new FanOut(log, observer, request.Steps, stops);
        string policyPath = Path.Combine(request.OutputDirectory, PolicyFileName);
        string checkpointPath = Path.Combine(request.OutputDirectory, CheckpointFileName);
        long steps, episodes;
        (int, int) demonstrations = (0, 0);
        switch (request.Algorithm)
        {
            case "sac-her":
                {
                    using var env = MakeTrainingEnv<DictValue>(request, stops);
                    using var evalEnv = MakeTrainingEnv<DictValue>(request, stops);
                    using var trainer = new SacHerTrainer(env, request.EnvId, request.Sac with { Seed = request.Seed, Threads = request.Threads }, request.Demonstrator, request.EnvSettings);
                    RunCheckpointed(trainer, request, log, evalEnv, observers, checkpointPath, policyPath, cancel);
                    (steps, episodes) = (trainer.Steps, trainer.Episodes);
                    // A resumed run stored no demonstrations of its own.
                    demonstrations = request.ResumeFrom is null ? (request.Sac.DemonstrationEpisodes, trainer.DemonstrationSuccesses) : (0, 0);
                    break;
                }
            case "dagger":
                {
                    using var env = MakeTrainingEnv<DictValue>(request, stops);
                    using var evalEnv = MakeTrainingEnv<DictValue>(request, stops);
                    var expert = request.Demonstrator ?? throw new ArgumentException($"dagger needs an expert to label states, and '{request.EnvId}' has no scripted controller");
                    using var trainer = new DaggerTrainer(env, request.EnvId, request.Dagger with { Seed = request.Seed, Threads = request.Threads }, expert, request.EnvSettings);
                    RunCheckpointed(trainer, request, log, evalEnv, observers, checkpointPath, policyPath, cancel);
                    (steps, episodes) = (trainer.Steps, trainer.Episodes);
                    demonstrations = request.ResumeFrom is null ? (request.Dagger.ExpertEpisodes, trainer.ExpertSuccesses) : (0, 0);
                    break;
                }
            case "ppo":
                {
                    var spec = EnvRegistry.Default.Spec(request.EnvId);
                    (steps, episodes) = spec.ObservationType == typeof(DictValue)
                        ? TrainPpo<DictValue>(request, observers, log, policyPath, checkpointPath, stops, cancel)
                        : spec.ObservationType == typeof(double[])
                            ? TrainPpo<double[]>(request, observers, log, policyPath, checkpointPath, stops, cancel)
                            : TrainPpo<float[]>(request, observers, log, policyPath, checkpointPath, stops, cancel);
                    break;
                }
            default:
                throw new ArgumentException($"unknown algorithm '{request.Algorithm}'; use sac-her, dagger or ppo");
        }
        string curvePath = Path.Combine(request.OutputDirectory, CurveFileName);
        LearningCurvePlot.Save(log.CsvPath, log.EvalCsvPath, curvePath, $"{request.EnvId} — {request.Algorithm}");
        return new TrainResult(policyPath, checkpointPath, curvePath, request.OutputDirectory, steps, episodes)
        {
            Demonstrations = demonstrations,
            SupervisorStops = stops.Watching ? stops.Stops : null,
        };
    }

    /// <summary>
    /// An env to train (or evaluate during training) on: on a Fetch task it is made with a simulation
    /// operator (<see cref="FetchEnvs.TrainingOperatorOption"/>), which only a supervised twin honours, and
    /// then wrapped so a safety stop ends the episode instead of the run (<see cref="TwinStopRecovery{TObs, TAct}"/>).
    /// The option is not in <see cref="TrainRequest.EnvSettings"/>, so the policy file never carries it.
    /// </summary>
    public static IEnv<TObs, float[]> MakeTrainingEnv<TObs>(TrainRequest request, SupervisorStopTally stops)
        where TObs : notnull
    {
        ArgumentNullException.ThrowIfNull(request);
        return MakeTrainingEnv<TObs>(request.EnvId, request.EnvOptions(), stops);
    }

    /// <summary>As <see cref="MakeTrainingEnv{TObs}(TrainRequest, SupervisorStopTally)"/> for an env id and its
    /// options (a distributed run's learner and workers, which only ever train).</summary>
    public static IEnv<TObs, float[]> MakeTrainingEnv<TObs>(string envId, EnvOptions options, SupervisorStopTally stops)
        where TObs : notnull
    {
        ArgumentNullException.ThrowIfNull(envId);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(stops);
        if (!FetchEnvs.TryGetKind(envId, out _))
        {
            return GymEnvs.Make<TObs, float[]>(envId, options);
        }
        var env = GymEnvs.Make<TObs, float[]>(envId, options.With(FetchEnvs.TrainingOperatorOption, true));
        return TwinStopRecovery.TryWrap(env, stops);
    }

    /// <summary>
    /// The quickstart recipe: train with <paramref name="request"/>, save, then evaluate the saved
    /// policy file (as deployment would load it) for <paramref name="evalEpisodes"/> episodes.
    /// </summary>
    public static (TrainResult Training, EvaluationResult Evaluation) TrainAndEvaluate(
        TrainRequest request, int evalEpisodes = 100, ITrainingObserver? observer = null, CancellationToken cancel = default)
    {
        var training = Train(request, observer, cancel);
        var evaluation = Evaluate(training.PolicyPath, request.EnvId, evalEpisodes, seed: request.Seed + 10_000);
        return (training, evaluation);
    }

    /// <summary>Loads a policy file and evaluates it on a fresh env from the registry, made with the
    /// env options the policy was trained with.</summary>
    public static EvaluationResult Evaluate(string policyPath, string envId, int episodes, int seed, Action<string>? warning = null)
    {
        using var policy = PolicyFile.Load(policyPath, warning);
        var spec = EnvRegistry.Default.Spec(envId);
        var options = policy.Spec.EnvOptions();
        if (spec.ObservationType == typeof(DictValue))
        {
            using var env = GymEnvs.Make<DictValue, float[]>(envId, options);
            return PolicyEvaluator.Evaluate(policy, env, episodes, seed);
        }
        if (spec.ObservationType == typeof(double[]))
        {
            using var env = GymEnvs.Make<double[], float[]>(envId, options);
            return PolicyEvaluator.Evaluate(policy, env, episodes, seed);
        }
        using var floatEnv = GymEnvs.Make<float[], float[]>(envId, options);
        return PolicyEvaluator.Evaluate(policy, floatEnv, episodes, seed);
    }

    /// <summary>
    /// As <see cref="Evaluate"/> for a goal env, with the policy's env options changed by
    /// <paramref name="adjust"/> (e.g. another robot), and what the safety guard in front of the env's
    /// robot did to the commands over the run (null without a guard).
    /// </summary>
    public static (EvaluationResult Evaluation, SupervisorCounters? Supervisor) EvaluateOn(string policyPath, string envId, int episodes, int seed,
        Func<EnvOptions, EnvOptions> adjust, Action<string>? warning = null)
    {
        ArgumentNullException.ThrowIfNull(adjust);
        using var policy = PolicyFile.Load(policyPath, warning);
        var spec = EnvRegistry.Default.Spec(envId);
        if (spec.ObservationType != typeof(DictValue))
        {
            throw new ArgumentException($"{envId} is not a goal env; evaluating on another robot needs a Fetch task");
        }
        using var env = GymEnvs.Make<DictValue, float[]>(envId, adjust(policy.Spec.EnvOptions()));
        var result = PolicyEvaluator.Evaluate(policy, env, episodes, seed);
        return (result, env.SafetyGuard()?.Counters);
    }

    private static void EvaluateIfAsked<TObs>(TrainRequest request, SquashedGaussianPolicy policy, IEnv<TObs, float[]> env, long steps, ITrainingObserver observers)
        where TObs : notnull
    {
        if (request.EvalEpisodes <= 0) return;
        bool wasTraining = policy.training;
        policy.eval();
        var result = PolicyEvaluator.Evaluate(policy, env, request.EvalEpisodes, seed: request.Seed + 10_000);
        if (wasTraining) policy.train();
        observers.OnEvaluation(steps, result);
    }

    private static (long, long) TrainPpo<TObs>(TrainRequest request, ITrainingObserver observers, TrainingLog log, string policyPath, string checkpointPath, SupervisorStopTally stops, CancellationToken cancel)
        where TObs : notnull
    {
        using var vec = new SyncVectorEnv<TObs, float[]>(request.NumEnvs, _ => MakeTrainingEnv<TObs>(request, stops));
        // The evaluation env exists only when asked for: each twin env holds a physics model (and a renderer for camera tasks).
        using var evalEnv = request.EvalEpisodes > 0 ? MakeTrainingEnv<TObs>(request, stops) : null;
        using var trainer = new PpoTrainer<TObs>(vec, request.EnvId, request.Ppo with { Seed = request.Seed, Threads = request.Threads }, request.EnvSettings);
        var counter = new EpisodeCounter(observers);
        RunCheckpointed(trainer, request, log, evalEnv, counter, checkpointPath, policyPath, cancel);
        return (trainer.Steps, counter.Episodes);
    }

    /// <summary>Resumes the trainer if asked, then trains in stretches of <see cref="TrainRequest.CheckpointEvery"/>
    /// steps, each ending in a checkpoint and (if asked) an evaluation, and saves the policy file.</summary>
    private static void RunCheckpointed<TObs>(ICheckpointedTrainer trainer, TrainRequest request, TrainingLog log, IEnv<TObs, float[]>? evalEnv,
        ITrainingObserver observers, string checkpointPath, string policyPath, CancellationToken cancel)
        where TObs : notnull
    {
        if (request.ResumeFrom is { } resumeFrom) Resume(resumeFrom, log, () => trainer.LoadCheckpoint(resumeFrom, request.Warning), () => (trainer.Steps, trainer.Episodes), trainer.ContinueEpisodeCount);
        while (trainer.Steps < request.Steps && !cancel.IsCancellationRequested)
        {
            trainer.Train(Math.Min(request.Steps, trainer.Steps + request.CheckpointEvery), observers, cancel);
            trainer.SaveCheckpoint(checkpointPath);
            if (evalEnv is not null) EvaluateIfAsked(request, trainer.Policy, evalEnv, trainer.Steps, observers);
        }
        PolicyFile.Save(trainer.Policy, policyPath);
    }

    /// <summary>
    /// Loads a checkpoint and makes the run's logs continue from it: progress.csv and eval.csv lose the
    /// rows written after the checkpoint (a run killed past it logged steps the resumed run repeats), and
    /// the episode count continues (from the checkpoint, or for one written before it stored the count,
    /// from progress.csv's last row at or before the checkpoint's step).
    /// </summary>
    private static void Resume(string checkpoint, TrainingLog log, Action load, Func<(long Steps, long Episodes)> state, Action<long> continueEpisodes)
    {
        CheckpointFile.Load(checkpoint, load);
        var (steps, episodes) = state();
        long logged = log.ContinueAt(steps);
        if (episodes == 0 && logged > 0) continueEpisodes(logged);
    }

    private sealed class EpisodeCounter(ITrainingObserver inner) : ITrainingObserver
    {
        public long Episodes { get; private set; }

        public void OnProgress(TrainingProgress progress)
        {
            Episodes = progress.Episodes;
            inner.OnProgress(progress);
        }

        public void OnEvaluation(long steps, EvaluationResult result) => inner.OnEvaluation(steps, result);
    }

    /// <summary>Passes progress to the log and the caller, with the run's total (trainers see one checkpoint interval
    /// at a time) and its safety stops (the trainers do not see the wrapper that resets them).</summary>
    private sealed class FanOut(ITrainingObserver first, ITrainingObserver? second, long totalSteps, SupervisorStopTally stops) : ITrainingObserver
    {
        public void OnProgress(TrainingProgress progress)
        {
            progress = progress with { TotalSteps = totalSteps, SupervisorStops = stops.Watching ? stops.Stops : null };
            first.OnProgress(progress);
            second?.OnProgress(progress);
        }

        public void OnEvaluation(long steps, EvaluationResult result)
        {
            first.OnEvaluation(steps, result);
            second?.OnEvaluation(steps, result);
        }
    }
}
