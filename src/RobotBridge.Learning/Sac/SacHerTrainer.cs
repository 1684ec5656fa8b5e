using System.Diagnostics;
using System.Text.Json;
using RobotBridge.Gym;
using RobotBridge.Gym.Goals;
using RobotBridge.Gym.Spaces;
using RobotBridge.Learning.Envs;
using RobotBridge.Learning.Policies;
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
public sealed class SacHerTrainer : IDisposable
{
    private readonly IEnv<DictValue, float[]> _env;
    private readonly IGoalEnv _goalEnv;
    private readonly SacHerConfig _config;
    private readonly int _maxEpisodeSteps;
    private readonly EpisodeReplayBuffer _buffer;
    private readonly HerSampler _sampler;
    private readonly HerBatch _batch;
    private readonly EpisodeWindow _window = new();
    private Random _rng;
    private readonly int _observationSize;

    /// <param name="env">The (time-limited) goal env; its unwrapped env must implement <see cref="IGoalEnv"/>.</param>
    /// <param name="envId">Recorded in the policy file.</param>
    public SacHerTrainer(IEnv<DictValue, float[]> env, string envId, SacHerConfig config)
    {
        _env = env;
        _goalEnv = env.Unwrapped as IGoalEnv
            ?? throw new ArgumentException($"SAC+HER needs a goal env (IGoalEnv with ComputeReward); '{envId}' is {env.Unwrapped.GetType().Name}");
        _config = config;
        TorchRuntime.Configure(config.Seed, config.Threads);
        _rng = new Random(config.Seed);
        _maxEpisodeSteps = env.Spec?.MaxEpisodeSteps ?? 50;
        var spec = PolicyInputs.SpecFor(env, envId, "sac-her", config.HiddenSizes);
        if (spec.Image is not null) throw new NotSupportedException($"SAC+HER here trains vector policies; '{envId}' has a camera image (use ppo)");
        Policy = new SquashedGaussianPolicy(spec);
        Learner = new SacLearner(Policy, config);
        _observationSize = ((DictSpace)env.ObservationSpace)[GoalObservation.ObservationKey].FlatDimension;
        int goal = _goalEnv.GoalDimension;
        _buffer = new EpisodeReplayBuffer(config.BufferTransitions, _maxEpisodeSteps, _observationSize, goal, spec.ActionSize);
        _sampler = new HerSampler(_buffer, config.HerK, (a, d, r) => _goalEnv.ComputeReward(a, d, [], r));
        _batch = new HerBatch(config.BatchSize, spec.VectorSize, spec.ActionSize, goal);
    }

    public SquashedGaussianPolicy Policy { get; }
    public SacLearner Learner { get; }

    /// <summary>Env steps taken so far (survives checkpoint and resume).</summary>
    public long Steps { get; private set; }

    public long Episodes => _window.Episodes;

    /// <summary>
    /// Runs until <see cref="Steps"/> reaches <paramref name="totalSteps"/>, reporting after each
    /// episode. Returns at an episode boundary, so a checkpoint taken afterwards resumes cleanly.
    /// </summary>
    public void Train(long totalSteps, ITrainingObserver? observer = null, CancellationToken cancel = default)
    {
        var spec = Policy.Spec;
        var vector = new float[spec.VectorSize];
        var unitAction = new float[spec.ActionSize];
        var envAction = new float[spec.ActionSize];
        var observation = new float[_observationSize];
        var desired = new double[_goalEnv.GoalDimension];
        var episodeRows = new float[2 * (_maxEpisodeSteps + 1) * spec.VectorSize];
        var losses = new Dictionary<string, double>();
        var clock = Stopwatch.StartNew();
        long startSteps = Steps;

        var (obs, _) = _env.Reset(seed: Steps == 0 ? _config.Seed : null);
        while (Steps < totalSteps && !cancel.IsCancellationRequested)
        {
            ReadObservation(obs, observation, desired);
            _buffer.BeginEpisode(observation, obs.AchievedGoal());
            int rows = 0;
            AddNormalizerRows(observation, desired, obs.AchievedGoal(), episodeRows, ref rows);
            double episodeReturn = 0;
            bool success = false;
            for (int t = 0; t < _maxEpisodeSteps; t++)
            {
                if (Steps < _config.LearningStarts)
                {
                    for (int i = 0; i < unitAction.Length; i++) unitAction[i] = (float)(2 * _rng.NextDouble() - 1);
                }
                else
                {
                    PolicyInputs.WriteVector(spec, obs, vector);
                    SampleAction(vector, unitAction);
                }
                Policy.ToEnvUnits(unitAction, envAction);
                obs.DesiredGoal().CopyTo(desired, 0);
                var step = _env.Step(envAction);
                obs = step.Observation;
                ReadObservation(obs, observation, desired: null);
                _buffer.AddStep(unitAction, desired, observation, obs.AchievedGoal(), step.Terminated);
                AddNormalizerRows(observation, obs.DesiredGoal(), obs.AchievedGoal(), episodeRows, ref rows);
                episodeReturn += step.Reward;
                success = step.Info.GetOrDefault(InfoKeys.IsSuccess, false);
                Steps++;

                if (Steps >= _config.LearningStarts && _buffer.Episodes > 0)
                {
                    for (int g = 0; g < _config.GradientStepsPerEnvStep; g++)
                    {
                        _sampler.Sample(_batch, _rng);
                        var l = Learner.Update(_batch);
                        losses["critic"] = l.Critic;
                        losses["actor"] = l.Actor;
                        losses["alpha"] = l.Temperature;
                    }
                }
                if (step.Done) break;
            }
            _buffer.EndEpisode();
            Policy.Normalizer.Update(episodeRows, rows);
            _window.Add(success, episodeReturn);
            observer?.OnProgress(new TrainingProgress(Steps, totalSteps, _window.Episodes,
                (Steps - startSteps) / Math.Max(1e-9, clock.Elapsed.TotalSeconds), _window.SuccessRate, _window.MeanReturn, losses));
            if (Steps < totalSteps) obs = _env.Reset().Observation;
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
    });

    /// <summary>Restores a checkpoint written by <see cref="SaveCheckpoint"/> for the same env and architecture.
    /// Adam moments and random streams restart, so a resumed run is not bit-identical to an uninterrupted one.</summary>
    public void LoadCheckpoint(string path)
    {
        using var reader = CheckpointFile.Open(path, CheckpointMagic, "SAC+HER");
        reader.ReadString(); // the saved config, kept for people reading the file; this run's config wins
        Steps = reader.ReadInt64();
        CheckpointFile.RestorePolicy(reader, Policy, path);
        Learner.Read(reader);
        _buffer.Read(reader);
        _rng = new Random(HashCode.Combine(_config.Seed, Steps));
    }

    public void Dispose()
    {
        Learner.Dispose();
        Policy.Dispose();
    }
}
