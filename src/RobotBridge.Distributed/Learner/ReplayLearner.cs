using System.Text.Json;
using RobotBridge.Distributed.Contract;
using RobotBridge.Gym;
using RobotBridge.Gym.Goals;
using RobotBridge.Gym.Spaces;
using RobotBridge.Learning.Envs;
using RobotBridge.Learning.Policies;
using RobotBridge.Learning.Sac;
using RobotBridge.Learning.Torch;
using RobotBridge.Learning.Training;

namespace RobotBridge.Distributed.Learner;

/// <summary>
/// The learner's half of SAC+HER, fed with whole episodes from workers instead of stepping an env
/// itself: stores them in the <see cref="EpisodeReplayBuffer"/>, folds them into the policy's input
/// normaliser, and owes <see cref="SacHerConfig.GradientStepsPerEnvStep"/> gradient steps per env
/// step past <see cref="SacHerConfig.LearningStarts"/>, as the single-process trainer takes them.
/// Not thread-safe: one thread (the learner loop) owns it and torch.
/// </summary>
public sealed class ReplayLearner : IDisposable
{
    private readonly SacHerConfig _config;
    private readonly EpisodeReplayBuffer _buffer;
    private readonly HerSampler _sampler;
    private readonly HerBatch _batch;
    private readonly EpisodeWindow _window = new();
    private readonly float[] _rows;
    private readonly int _observationSize;
    private readonly int _goalSize;
    private Random _rng;

    /// <param name="env">An env of the trained id and options: its spaces shape the networks and its ComputeReward relabels HER goals.</param>
    public ReplayLearner(IEnv<DictValue, float[]> env, string envId, SacHerConfig config, IReadOnlyDictionary<string, string>? envSettings = null)
    {
        var goalEnv = env.Unwrapped as IGoalEnv
            ?? throw new ArgumentException($"SAC+HER needs a goal env (IGoalEnv with ComputeReward); '{envId}' is {env.Unwrapped.GetType().Name}");
        if (config.DemonstrationEpisodes > 0) throw new NotSupportedException("distributed training does not take scripted demonstrations (--demos) yet; train them in one process");
        _config = config;
        TorchRuntime.Configure(config.Seed, config.Threads);
        _rng = new Random(config.Seed);
        MaxEpisodeSteps = env.Spec?.MaxEpisodeSteps ?? 50;
        var spec = PolicyInputs.SpecFor(env, envId, "sac-her", config.HiddenSizes, envSettings);
        if (spec.Image is not null) throw new NotSupportedException($"SAC+HER trains vector policies; '{envId}' has a camera image");
        Policy = new SquashedGaussianPolicy(spec);
        Sac = new SacLearner(Policy, config);
        _observationSize = ((DictSpace)env.ObservationSpace)[GoalObservation.ObservationKey].FlatDimension;
        _goalSize = goalEnv.GoalDimension;
        _buffer = new EpisodeReplayBuffer(config.BufferTransitions, MaxEpisodeSteps, _observationSize, _goalSize, spec.ActionSize);
        _sampler = new HerSampler(_buffer, config.HerK, (a, d, r) => goalEnv.ComputeReward(a, d, [], r));
        _batch = new HerBatch(config.BatchSize, spec.VectorSize, spec.ActionSize, _goalSize);
        _rows = new float[2 * (MaxEpisodeSteps + 1) * spec.VectorSize];
    }

    public SquashedGaussianPolicy Policy { get; }
    public SacLearner Sac { get; }
    public int MaxEpisodeSteps { get; }

    /// <summary>Env steps stored so far (survives checkpoint and resume).</summary>
    public long Steps { get; private set; }

    /// <summary>Episodes stored so far (survives checkpoint and resume).</summary>
    public long Episodes => _window.Episodes;

    /// <summary>Gradient steps this process took.</summary>
    public long GradientSteps { get; private set; }

    /// <summary>Gradient steps owed to the data stored so far and not yet taken.</summary>
    public double Owed { get; private set; }

    public double SuccessRate => _window.SuccessRate;
    public double MeanReturn => _window.MeanReturn;
    public Dictionary<string, double> Losses { get; } = new();

    /// <summary>Checks an episode's shape against this learner's buffer: a worker built for another env is refused, not stored.</summary>
    public string? Problem(EpisodeRecord e)
    {
        int act = Policy.Spec.ActionSize;
        if (e.Length < 1 || e.Length > MaxEpisodeSteps) return $"episode of {e.Length} steps (this run's episodes have 1 to {MaxEpisodeSteps})";
        if (e.Observations.Length != (e.Length + 1) * _observationSize || e.Achieved.Length != (e.Length + 1) * _goalSize
            || e.Desired.Length != e.Length * _goalSize || e.Actions.Length != e.Length * act || e.Terminal.Length != e.Length)
            return $"episode arrays do not match this run's env (observation {_observationSize}, goal {_goalSize}, action {act})";
        foreach (float a in e.Actions) if (!(a is >= -1 and <= 1)) return "episode holds an action outside [-1, 1]";
        return null;
    }

    /// <summary>Stores one episode (checked with <see cref="Problem"/> first) and adds the gradient steps it earns.</summary>
    public void Ingest(EpisodeRecord e)
    {
        int act = Policy.Spec.ActionSize, vector = Policy.Spec.VectorSize;
        _buffer.BeginEpisode(e.Observations.AsSpan(0, _observationSize), e.Achieved.AsSpan(0, _goalSize));
        int rows = 0;
        AddRow(e.Observations.AsSpan(0, _observationSize), e.Desired.AsSpan(0, _goalSize), ref rows, vector);
        AddRow(e.Observations.AsSpan(0, _observationSize), e.Achieved.AsSpan(0, _goalSize), ref rows, vector);
        for (int t = 0; t < e.Length; t++)
        {
            var next = e.Observations.AsSpan((t + 1) * _observationSize, _observationSize);
            var nextAchieved = e.Achieved.AsSpan((t + 1) * _goalSize, _goalSize);
            var desired = e.Desired.AsSpan(t * _goalSize, _goalSize);
            _buffer.AddStep(e.Actions.AsSpan(t * act, act), desired, next, nextAchieved, e.Terminal[t]);
            AddRow(next, desired, ref rows, vector);
            AddRow(next, nextAchieved, ref rows, vector);
            Steps++;
            if (Steps >= _config.LearningStarts) Owed += _config.GradientStepsPerEnvStep;
        }
        _buffer.EndEpisode();
        Policy.Normalizer.Update(_rows, rows);
        _window.Add(e.Success, e.Return);
    }

    private void AddRow(ReadOnlySpan<float> observation, ReadOnlySpan<double> goal, ref int rows, int size) =>
        HerSampler.WriteVector(observation, goal, _rows.AsSpan(rows++ * size, size));

    /// <summary>Takes one owed gradient step; false when none is owed.</summary>
    public bool TryGradientStep()
    {
        if (Owed < 1 || _buffer.Episodes == 0) return false;
        Owed--;
        _sampler.Sample(_batch, _rng);
        var l = Sac.Update(_batch);
        GradientSteps++;
        Losses["critic"] = l.Critic;
        Losses["actor"] = l.Actor;
        Losses["alpha"] = l.Temperature;
        return true;
    }

    /// <summary>The policy as a policy file's bytes (what workers load and what is saved at the end).</summary>
    public byte[] PolicyBytes()
    {
        using var stream = new MemoryStream();
        PolicyFile.Write(Policy, stream);
        return stream.ToArray();
    }

    // ---- checkpoints: the single-process trainer's content plus what the distributed run adds ----

    private static readonly byte[] CheckpointMagic = "RBDCKP01"u8.ToArray();

    /// <summary>Saves policy, critics, temperature, optimizers, replay buffer, counters and <paramref name="extra"/> (atomic replace).</summary>
    public void SaveCheckpoint(string path, Action<BinaryWriter> extra) => CheckpointFile.Write(path, CheckpointMagic, writer =>
    {
        writer.Write(JsonSerializer.Serialize(_config));
        writer.Write(Steps);
        writer.Write(Episodes);
        writer.Write(Owed);
        PolicyFile.Write(Policy, writer.BaseStream);
        Sac.Write(writer);
        Sac.WriteOptimizers(writer);
        _buffer.Write(writer);
        extra(writer);
    });

    /// <summary>The env step count a checkpoint was written at (read without building networks).</summary>
    public static long CheckpointSteps(string path, Action<string>? warning = null)
    {
        using var reader = CheckpointFile.Open(path, CheckpointMagic, "distributed SAC+HER", warning);
        reader.ReadString();
        return reader.ReadInt64();
    }

    /// <summary>Restores a checkpoint of <see cref="SaveCheckpoint"/> for the same env and architecture; <paramref name="extra"/> reads what the caller added.</summary>
    public void LoadCheckpoint(string path, Action<BinaryReader> extra, Action<string>? warning = null)
    {
        using var reader = CheckpointFile.Open(path, CheckpointMagic, "distributed SAC+HER", warning);
        reader.ReadString();
        Steps = reader.ReadInt64();
        _window.ContinueFrom(reader.ReadInt64());
        Owed = reader.ReadDouble();
        CheckpointFile.RestorePolicy(reader, Policy, path);
        Sac.Read(reader);
        Sac.ReadOptimizers(reader);
        _buffer.Read(reader);
        extra(reader);
        // A fixed mix of seed and step (HashCode.Combine differs between processes).
        _rng = new Random(WorkerSeeds.Derive(_config.Seed, -1, (int)Steps));
    }

    public void Dispose()
    {
        Sac.Dispose();
        Policy.Dispose();
    }
}
