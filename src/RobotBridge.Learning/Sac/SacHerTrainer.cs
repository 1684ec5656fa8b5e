using System.Diagnostics;
using System.Text.Json;
using RobotBridge.Gym;
using RobotBridge.Gym.Goals;
using RobotBridge.Gym.Spaces;
using RobotBridge.Learning.Envs;
using RobotBridge.Learning.Policies;
using RobotBridge.Learning.Torch;
using RobotBridge.Learning.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace RobotBridge.Learning.Sac;

/// <summary>
/// SAC with hindsight experience replay on a goal env: collects one env step at a time, stores
/// whole episodes, and after <see cref="SacHerConfig.LearningStarts"/> random steps takes
/// gradient steps on HER-relabelled batches. The policy's observation normaliser is updated from
/// every finished episode.
/// </summary>
public sealed class SacHerTrainer : ICheckpointedTrainer, IDisposable
{
    private readonly IEnv<DictValue, float[]> _env;
    private readonly IGoalEnv _goalEnv;
    private readonly SacHerConfig _config;
    private readonly int _maxEpisodeSteps;
    private readonly EpisodeReplayBuffer _buffer;
    private readonly GoalRewardFunction _reward;
    private readonly HerSampler _sampler;
    private readonly HerBatch _batch;
    private readonly EpisodeWindow _window = new();
    private readonly IDemonstrator? _demonstrator;
    private EpisodeReplayBuffer? _demoBuffer;
    private HerSampler? _demoSampler;
    private HerBatch? _demoBatch;
    private readonly Dictionary<string, double> _losses = new();
    private Random _rng;
    private double _updateCredit;
    private readonly int _observationSize;

    // Per-step scratch, allocated once.
    private readonly float[] _vector;
    private readonly float[] _unitAction;
    private readonly float[] _envAction;
    private readonly float[] _observation;
    private readonly double[] _desired;
    private readonly float[] _episodeRows;

    /// <param name="env">The (time-limited) goal env; its unwrapped env must implement <see cref="IGoalEnv"/>.</param>
    /// <param name="envId">Recorded in the policy file.</param>
    /// <param name="demonstrator">Scripted controller for <see cref="SacHerConfig.DemonstrationEpisodes"/>, if any.</param>
    /// <param name="envSettings">Env options <paramref name="env"/> was made with; the policy file keeps them.</param>
    public SacHerTrainer(IEnv<DictValue, float[]> env, string envId, SacHerConfig config, IDemonstrator? demonstrator = null,
        IReadOnlyDictionary<string, string>? envSettings = null)
    {
        if (config.DemonstrationEpisodes > 0 && demonstrator is null)
            throw new ArgumentException($"{config.DemonstrationEpisodes} demonstration episodes asked for, but '{envId}' has no demonstrator");
        if (config.GradientStepsPerEnvStep < 0 || !double.IsFinite(config.GradientStepsPerEnvStep))
            throw new ArgumentOutOfRangeException(nameof(config), $"gradient steps per env step must be a finite number ≥ 0, got {config.GradientStepsPerEnvStep}");
        if (config.RandomActionProbability is < 0 or > 1 || double.IsNaN(config.RandomActionProbability))
            throw new ArgumentOutOfRangeException(nameof(config), $"random action probability must be in [0, 1], got {config.RandomActionProbability}");
        if (config.BehaviourCloningWeight < 0 || !double.IsFinite(config.BehaviourCloningWeight))
            throw new ArgumentOutOfRangeException(nameof(config), $"behaviour-cloning weight must be a finite number ≥ 0, got {config.BehaviourCloningWeight}");
        if (config.DemonstrationBatchSize < 0)
            throw new ArgumentOutOfRangeException(nameof(config), $"demonstration batch size must be ≥ 0, got {config.DemonstrationBatchSize}");
        if (config.BehaviourCloningWeight > 0 && (config.DemonstrationEpisodes == 0 || config.DemonstrationBatchSize == 0))
            throw new ArgumentException($"behaviour cloning (weight {config.BehaviourCloningWeight}) needs demonstrations kept apart: demonstration episodes and a demonstration batch size above 0");
        _demonstrator = demonstrator;
        _env = env;
        _goalEnv = env.Unwrapped as IGoalEnv
            ?? throw new ArgumentException($"SAC+HER needs a goal env (IGoalEnv with ComputeReward); '{envId}' is {env.Unwrapped.GetType().Name}");
        _config = config;
        TorchRuntime.Configure(config.Seed, config.Threads);
        _rng = new Random(config.Seed);
        _maxEpisodeSteps = env.Spec?.MaxEpisodeSteps ?? 50;
        var spec = PolicyInputs.SpecFor(env, envId, "sac-her", config.HiddenSizes, envSettings);
        if (spec.Image is not null) throw new NotSupportedException($"SAC+HER here trains vector policies; '{envId}' has a camera image (use ppo)");
        Policy = new SquashedGaussianPolicy(spec);
        Learner = new SacLearner(Policy, config);
        _observationSize = ((DictSpace)env.ObservationSpace)[GoalObservation.ObservationKey].FlatDimension;
        int goal = _goalEnv.GoalDimension;
        _buffer = new EpisodeReplayBuffer(config.BufferTransitions, _maxEpisodeSteps, _observationSize, goal, spec.ActionSize);
        _reward = (a, d, r) => _goalEnv.ComputeReward(a, d, [], r);
        _sampler = new HerSampler(_buffer, config.HerK, _reward);
        _batch = new HerBatch(config.BatchSize, spec.VectorSize, spec.ActionSize, goal);
        if (config.DemonstrationEpisodes > 0 && config.DemonstrationBatchSize > 0) CreateDemonstrationBuffer(config.DemonstrationEpisodes);
        _vector = new float[spec.VectorSize];
        _unitAction = new float[spec.ActionSize];
        _envAction = new float[spec.ActionSize];
        _observation = new float[_observationSize];
        _desired = new double[goal];
        _episodeRows = new float[2 * (_maxEpisodeSteps + 1) * spec.VectorSize];
    }

    public SquashedGaussianPolicy Policy { get; }
    public SacLearner Learner { get; }

    /// <summary>Env steps taken so far (survives checkpoint and resume).</summary>
    public long Steps { get; private set; }

    public long Episodes => _window.Episodes;

    /// <summary>Continues the episode count of an earlier run (see <see cref="LoadCheckpoint"/>).</summary>
    public void ContinueEpisodeCount(long episodes) => _window.ContinueFrom(episodes);

    /// <summary>Gradient steps taken by this trainer instance (not restored by a resume).</summary>
    public long GradientSteps { get; private set; }

    /// <summary>The replay buffer of the agent's own episodes (and of demonstrations not kept apart).</summary>
    public EpisodeReplayBuffer Buffer => _buffer;

    /// <summary>The demonstrations' episodes when kept apart (<see cref="SacHerConfig.DemonstrationBatchSize"/> above 0); otherwise null.</summary>
    public EpisodeReplayBuffer? DemonstrationBuffer => _demoBuffer;

    /// <summary>Losses of the latest gradient step (critic, actor, alpha, and with demonstrations bc and q_filter).</summary>
    public IReadOnlyDictionary<string, double> LatestLosses => _losses;

    private void CreateDemonstrationBuffer(int episodes)
    {
        var spec = Policy.Spec;
        _demoBuffer = new EpisodeReplayBuffer(episodes * _maxEpisodeSteps, _maxEpisodeSteps, _observationSize, _goalEnv.GoalDimension, spec.ActionSize);
        _demoSampler = new HerSampler(_demoBuffer, _config.HerK, _reward);
        _demoBatch = new HerBatch(_config.DemonstrationBatchSize, spec.VectorSize, spec.ActionSize, _goalEnv.GoalDimension);
    }

    /// <summary>
    /// Runs until <see cref="Steps"/> reaches <paramref name="totalSteps"/>, reporting after each
    /// episode. Returns at an episode boundary, so a checkpoint taken afterwards resumes cleanly.
    /// A fresh run with a demonstrator first stores <see cref="SacHerConfig.DemonstrationEpisodes"/>
    /// of its episodes (counted as env steps, not in the reported success rate).
    /// </summary>
    public void Train(long totalSteps, ITrainingObserver? observer = null, CancellationToken cancel = default)
    {
        var clock = Stopwatch.StartNew();
        long startSteps = Steps;
        var (obs, _) = _env.Reset(seed: Steps == 0 ? _config.Seed : null);
        if (Steps == 0 && _demonstrator is not null)
        {
            for (int e = 0; e < _config.DemonstrationEpisodes && !cancel.IsCancellationRequested; e++)
            {
                _demonstrator.BeginEpisode();
                var demo = RunEpisode(obs, ActionSource.Demonstrator);
                DemonstrationSuccesses += demo.Success ? 1 : 0;
                obs = _env.Reset().Observation;
            }
        }
        while (Steps < totalSteps && !cancel.IsCancellationRequested)
        {
            var episode = RunEpisode(obs, Steps < _config.LearningStarts ? ActionSource.Random : ActionSource.Policy);
            _window.Add(episode.Success, episode.Return);
            observer?.OnProgress(new TrainingProgress(Steps, totalSteps, _window.Episodes,
                (Steps - startSteps) / Math.Max(1e-9, clock.Elapsed.TotalSeconds), _window.SuccessRate, _window.MeanReturn, _losses));
            if (Steps < totalSteps) obs = _env.Reset().Observation;
        }
    }

    /// <summary>Demonstration episodes stored so far that ended in success (0 without a demonstrator).</summary>
    public int DemonstrationSuccesses { get; private set; }

    private enum ActionSource { Random, Policy, Demonstrator }

    /// <summary>One episode from <paramref name="obs"/>: act, store every step, learn while the policy
    /// acts (and during the random warm-up once past <see cref="SacHerConfig.LearningStarts"/>).</summary>
    private (bool Success, double Return) RunEpisode(DictValue obs, ActionSource source)
    {
        var spec = Policy.Spec;
        var buffer = source == ActionSource.Demonstrator && _demoBuffer is not null ? _demoBuffer : _buffer;
        ReadObservation(obs, _observation, _desired);
        buffer.BeginEpisode(_observation, obs.AchievedGoal());
        int rows = 0;
        AddNormalizerRows(_observation, _desired, obs.AchievedGoal(), _episodeRows, ref rows);
        double episodeReturn = 0;
        bool success = false;
        for (int t = 0; t < _maxEpisodeSteps; t++)
        {
            if (source == ActionSource.Demonstrator)
            {
                _demonstrator!.Act(obs, _envAction);
                Policy.ToUnitActions(_envAction, _unitAction);
            }
            else
            {
                if (source == ActionSource.Random || _rng.NextDouble() < _config.RandomActionProbability)
                {
                    for (int i = 0; i < _unitAction.Length; i++) _unitAction[i] = (float)(2 * _rng.NextDouble() - 1);
                }
                else
                {
                    PolicyInputs.WriteVector(spec, obs, _vector);
                    SampleAction(_vector, _unitAction);
                }
                Policy.ToEnvUnits(_unitAction, _envAction);
            }
            obs.DesiredGoal().CopyTo(_desired, 0);
            var step = _env.Step(_envAction);
            obs = step.Observation;
            ReadObservation(obs, _observation, desired: null);
            buffer.AddStep(_unitAction, _desired, _observation, obs.AchievedGoal(), step.Terminated);
            AddNormalizerRows(_observation, obs.DesiredGoal(), obs.AchievedGoal(), _episodeRows, ref rows);
            episodeReturn += step.Reward;
            success = step.Info.GetOrDefault(InfoKeys.IsSuccess, false);
            Steps++;
            if (source != ActionSource.Demonstrator && Steps >= _config.LearningStarts && _buffer.Episodes > 0)
            {
                Learn();
            }
            if (step.Done) break;
        }
        buffer.EndEpisode();
        Policy.Normalizer.Update(_episodeRows, rows);
        return (success, episodeReturn);
    }

    /// <summary>Takes this env step's share of gradient steps; a fractional rate carries its remainder.</summary>
    private void Learn()
    {
        _updateCredit += _config.GradientStepsPerEnvStep;
        for (; _updateCredit >= 1; _updateCredit--)
        {
            _sampler.Sample(_batch, _rng);
            HerBatch? demos = null;
            if (_demoBuffer is { Episodes: > 0 } && _demoBatch is { Size: > 0 })
            {
                _demoSampler!.Sample(_demoBatch, _rng);
                demos = _demoBatch;
            }
            var l = Learner.Update(_batch, demos);
            GradientSteps++;
            _losses["critic"] = l.Critic;
            _losses["actor"] = l.Actor;
            _losses["alpha"] = l.Temperature;
            if (demos is not null)
            {
                _losses["bc"] = l.BehaviourCloning;
                _losses["q_filter"] = l.DemonstrationsKept;
            }
        }
    }

    private void SampleAction(float[] vector, float[] unitAction)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (action, _) = Policy.Sample(tensor(vector, 1, vector.Length), null);
        action.data<float>().CopyTo(unitAction, 0);
    }

    private static void ReadObservation(DictValue obs, float[] observation, double[]? desired)
    {
        var o = obs.Observation();
        for (int i = 0; i < observation.Length; i++) observation[i] = (float)o[i];
        if (desired is not null) obs.DesiredGoal().CopyTo(desired, 0);
    }

    /// <summary>Normaliser rows for one state: observation with the desired goal, and with the
    /// achieved goal (relabelled goals are achieved goals, so the goal statistics must cover them).</summary>
    private static void AddNormalizerRows(float[] observation, ReadOnlySpan<double> desired, ReadOnlySpan<double> achieved, float[] rows, ref int count)
    {
        int size = observation.Length + desired.Length;
        HerSampler.WriteVector(observation, desired, rows.AsSpan(count++ * size, size));
        HerSampler.WriteVector(observation, achieved, rows.AsSpan(count++ * size, size));
    }

    // ---- checkpoints ----

    private static readonly byte[] CheckpointMagic = "RBCKPT01"u8.ToArray();

    /// <summary>Saves policy, critics, temperature, replay buffer and counters (atomic replace).</summary>
    public void SaveCheckpoint(string path) => CheckpointFile.Write(path, CheckpointMagic, writer =>
    {
        writer.Write(JsonSerializer.Serialize(_config));
        writer.Write(Steps);
        PolicyFile.Write(Policy, writer.BaseStream);
        Learner.Write(writer);
        _buffer.Write(writer);
        // Appended after the agent's buffer, so checkpoints from before demonstrations still read.
        writer.Write(_demoBuffer?.EpisodeCapacity ?? 0);
        _demoBuffer?.Write(writer);
        // Appended last for the same reason: older checkpoints resume with fresh optimizers.
        Learner.WriteOptimizers(writer);
        // Then the episode count, so progress.csv continues it after a resume.
        writer.Write(Episodes);
    });

    /// <summary>Restores a checkpoint written by <see cref="SaveCheckpoint"/> for the same env and architecture.
    /// The optimizers continue where they were (checkpoints from before they were saved restart them); the
    /// random streams restart, so a resumed run is not bit-identical to an uninterrupted one.</summary>
    public void LoadCheckpoint(string path, Action<string>? warning = null)
    {
        using var reader = CheckpointFile.Open(path, CheckpointMagic, "SAC+HER", warning);
        reader.ReadString(); // the saved config, kept for people reading the file; this run's config wins
        Steps = reader.ReadInt64();
        CheckpointFile.RestorePolicy(reader, Policy, path);
        Learner.Read(reader);
        _buffer.Read(reader);
        if (reader.BaseStream.Position < reader.BaseStream.Length && reader.ReadInt32() is int demoEpisodes and > 0)
        {
            // Kept even when this run is not told about them, so its own checkpoints still carry them;
            // they join batches again only with a demonstration batch size above 0.
            if (_demoBuffer is null || _demoBuffer.EpisodeCapacity != demoEpisodes) CreateDemonstrationBuffer(demoEpisodes);
            _demoBuffer!.Read(reader);
        }
        if (reader.BaseStream.Position < reader.BaseStream.Length)
        {
            Learner.ReadOptimizers(reader);
        }
        if (reader.BaseStream.Position < reader.BaseStream.Length)
        {
            _window.ContinueFrom(reader.ReadInt64());
        }
        _rng = new Random(HashCode.Combine(_config.Seed, Steps));
    }

    public void Dispose()
    {
        Learner.Dispose();
        Policy.Dispose();
    }
}
