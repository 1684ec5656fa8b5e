using System.Diagnostics;
using System.Text.Json;
using RobotBridge.Gym;
using RobotBridge.Gym.Spaces;
using RobotBridge.Learning.Envs;
using RobotBridge.Learning.Policies;
using RobotBridge.Learning.Sac;
using RobotBridge.Learning.Torch;
using RobotBridge.Learning.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace RobotBridge.Learning.Imitation;

/// <summary>
/// DAgger (Ross, Gordon and Bagnell 2011) with a scripted expert: round 0 stores the expert's own
/// episodes; every later round lets the policy act (mixed with the expert's action at a probability that
/// halves each round) while the expert labels every visited state. After each round the policy's mean
/// action is regressed on the whole dataset. Behaviour cloning alone learns only the expert's states; a
/// learned policy drifts off them and has never seen how to recover, which the later rounds teach.
/// The expert reads the same observation the policy does (noisy, late, as the env gives it), so the
/// policy learns nothing a deployed robot could not know.
/// </summary>
public sealed class DaggerTrainer : ICheckpointedTrainer, IDisposable
{
    private static readonly byte[] CheckpointMagic = "RBDAGG01"u8.ToArray();

    private readonly IEnv<DictValue, float[]> _env;
    private readonly IDemonstrator _expert;
    private readonly DaggerConfig _config;
    private readonly int _maxEpisodeSteps;
    private readonly LabelledStates _dataset;
    private readonly AdamOptimizer _optimizer;
    private readonly EpisodeWindow _window = new();
    private readonly Dictionary<string, double> _losses = new();
    private Random _rng;

    // Per-step and per-batch scratch, allocated once.
    private readonly float[] _vector;
    private readonly float[] _expertAction;
    private readonly float[] _label;
    private readonly float[] _policyUnit;
    private readonly float[] _envAction;
    private readonly float[] _episodeVectors;
    private readonly float[] _batchVectors;
    private readonly float[] _batchLabels;

    public DaggerTrainer(IEnv<DictValue, float[]> env, string envId, DaggerConfig config, IDemonstrator expert,
        IReadOnlyDictionary<string, string>? envSettings = null)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(config);
        _expert = expert ?? throw new ArgumentException($"DAgger needs an expert to label states, and '{envId}' has no scripted controller");
        if (config.ExpertEpisodes < 1) throw new ArgumentOutOfRangeException(nameof(config), $"DAgger's first round needs at least one expert episode, got {config.ExpertEpisodes}");
        if (config.RoundEpisodes < 1) throw new ArgumentOutOfRangeException(nameof(config), $"a DAgger round needs at least one episode, got {config.RoundEpisodes}");
        if (config.GradientStepsPerEnvStep <= 0 || !double.IsFinite(config.GradientStepsPerEnvStep))
            throw new ArgumentOutOfRangeException(nameof(config), $"gradient steps per env step must be a finite number above 0, got {config.GradientStepsPerEnvStep}");
        if (config.ExpertMixing is < 0 or > 1 || double.IsNaN(config.ExpertMixing))
            throw new ArgumentOutOfRangeException(nameof(config), $"the expert mixing β must be in [0, 1], got {config.ExpertMixing}");
        _env = env;
        _config = config;
        TorchRuntime.Configure(config.Seed, config.Threads);
        _rng = new Random(config.Seed);
        _maxEpisodeSteps = env.Spec?.MaxEpisodeSteps ?? 50;
        var spec = PolicyInputs.SpecFor(env, envId, "dagger", config.HiddenSizes, envSettings);
        if (spec.Image is not null) throw new NotSupportedException($"DAgger here trains vector policies; '{envId}' has a camera image");
        Policy = new SquashedGaussianPolicy(spec);
        _optimizer = new AdamOptimizer(Policy.parameters(), config.LearningRate);
        _dataset = new LabelledStates(config.DatasetCapacity, spec.VectorSize, spec.ActionSize);
        _vector = new float[spec.VectorSize];
        _expertAction = new float[spec.ActionSize];
        _label = new float[spec.ActionSize];
        _policyUnit = new float[spec.ActionSize];
        _envAction = new float[spec.ActionSize];
        _episodeVectors = new float[(_maxEpisodeSteps + 1) * spec.VectorSize];
        _batchVectors = new float[config.BatchSize * spec.VectorSize];
        _batchLabels = new float[config.BatchSize * spec.ActionSize];
    }

    public SquashedGaussianPolicy Policy { get; }

    /// <summary>Env steps taken so far, the expert's included (survives checkpoint and resume).</summary>
    public long Steps { get; private set; }

    public long Episodes => _window.Episodes;

    /// <summary>Rounds finished; round 0 is the expert's.</summary>
    public int Rounds { get; private set; }

    /// <summary>Expert episodes of round 0 that ended in success.</summary>
    public int ExpertSuccesses { get; private set; }

    public int LabelledStateCount => _dataset.Count;

    public void ContinueEpisodeCount(long episodes) => _window.ContinueFrom(episodes);

    /// <summary>β of a round: 1 for the expert's round 0, then <see cref="DaggerConfig.ExpertMixing"/> halving each round.</summary>
    public double ExpertShare(int round) => round == 0 ? 1 : _config.ExpertMixing * Math.Pow(0.5, round - 1);

    /// <summary>Runs whole rounds until <see cref="Steps"/> reaches <paramref name="totalSteps"/> (the last round
    /// may pass it by less than one round), reporting after every episode.</summary>
    public void Train(long totalSteps, ITrainingObserver? observer = null, CancellationToken cancel = default)
    {
        var clock = Stopwatch.StartNew();
        long startSteps = Steps;
        var obs = _env.Reset(seed: Steps == 0 ? _config.Seed : null).Observation;
        while (Steps < totalSteps && !cancel.IsCancellationRequested)
        {
            int episodes = Rounds == 0 ? _config.ExpertEpisodes : _config.RoundEpisodes;
            double beta = ExpertShare(Rounds);
            long roundStart = Steps;
            for (int e = 0; e < episodes && !cancel.IsCancellationRequested; e++)
            {
                var (success, episodeReturn) = RunEpisode(obs, beta);
                if (Rounds == 0) ExpertSuccesses += success ? 1 : 0;
                _window.Add(success, episodeReturn);
                observer?.OnProgress(new TrainingProgress(Steps, totalSteps, _window.Episodes,
                    (Steps - startSteps) / Math.Max(1e-9, clock.Elapsed.TotalSeconds), _window.SuccessRate, _window.MeanReturn, _losses));
                obs = _env.Reset().Observation;
            }
            if (cancel.IsCancellationRequested) break;
            Fit((int)Math.Ceiling((Steps - roundStart) * _config.GradientStepsPerEnvStep));
            _losses["expert_share"] = beta;
            _losses["labelled_states"] = _dataset.Count;
            Rounds++;
        }
    }

    /// <summary>One episode: at each step the expert labels the state; the expert's action or the policy's
    /// is executed (the expert's with probability <paramref name="beta"/>).</summary>
    private (bool Success, double Return) RunEpisode(DictValue obs, double beta)
    {
        var spec = Policy.Spec;
        _expert.BeginEpisode();
        int rows = 0;
        double episodeReturn = 0;
        bool success = false;
        for (int t = 0; t < _maxEpisodeSteps; t++)
        {
            PolicyInputs.WriteVector(spec, obs, _vector);
            // The expert sees every state, also when the policy acts, so its per-episode state (a grasp
            // under way) follows the episode as it happens.
            _expert.Act(obs, _expertAction);
            Policy.ToUnitActions(_expertAction, _label);
            _dataset.Add(_vector, _label);
            _vector.CopyTo(_episodeVectors, rows++ * spec.VectorSize);
            if (beta >= 1 || _rng.NextDouble() < beta)
            {
                _expertAction.CopyTo(_envAction, 0);
            }
            else
            {
                PolicyAction(_vector, _policyUnit);
                Policy.ToEnvUnits(_policyUnit, _envAction);
            }
            var step = _env.Step(_envAction);
            obs = step.Observation;
            episodeReturn += step.Reward;
            success = step.Info.GetOrDefault(InfoKeys.IsSuccess, false);
            Steps++;
            if (step.Done) break;
        }
        Policy.Normalizer.Update(_episodeVectors, rows);
        return (success, episodeReturn);
    }

    private void PolicyAction(float[] vector, float[] unit)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Policy.DeterministicAction(tensor(vector, 1, vector.Length), null).data<float>().CopyTo(unit, 0);
    }

    /// <summary>Regresses the policy's deterministic action (tanh of its mean) on the expert's labels.</summary>
    private void Fit(int gradientSteps)
    {
        var spec = Policy.Spec;
        int n = _config.BatchSize;
        double last = 0;
        for (int i = 0; i < gradientSteps; i++)
        {
            using var scope = NewDisposeScope();
            _dataset.Sample(_rng, _batchVectors, _batchLabels, n);
            var predicted = Policy.DeterministicAction(tensor(_batchVectors, n, spec.VectorSize), null);
            var loss = (predicted - tensor(_batchLabels, n, spec.ActionSize)).Squared().sum(1).mean();
            _optimizer.ZeroGrad();
            loss.backward();
            _optimizer.Step();
            if (i == gradientSteps - 1) last = loss.item<float>();
        }
        _losses["bc"] = last;
    }

    /// <summary>Saves policy, optimizer, dataset and counters (atomic replace).</summary>
    public void SaveCheckpoint(string path) => CheckpointFile.Write(path, CheckpointMagic, writer =>
    {
        writer.Write(JsonSerializer.Serialize(_config));
        writer.Write(Steps);
        writer.Write(Episodes);
        writer.Write(Rounds);
        writer.Write(ExpertSuccesses);
        PolicyFile.Write(Policy, writer.BaseStream);
        _optimizer.Write(writer);
        _dataset.Write(writer);
    });

    /// <summary>Restores a checkpoint of <see cref="SaveCheckpoint"/> for the same env and architecture; the
    /// random streams restart, so a resumed run is not bit-identical to an uninterrupted one.</summary>
    public void LoadCheckpoint(string path, Action<string>? warning = null)
    {
        using var reader = CheckpointFile.Open(path, CheckpointMagic, "DAgger", warning);
        reader.ReadString(); // the saved config, for people reading the file; this run's config wins
        Steps = reader.ReadInt64();
        _window.ContinueFrom(reader.ReadInt64());
        Rounds = reader.ReadInt32();
        ExpertSuccesses = reader.ReadInt32();
        CheckpointFile.RestorePolicy(reader, Policy, path);
        _optimizer.Read(reader);
        _dataset.Read(reader);
        _rng = new Random(HashCode.Combine(_config.Seed, Steps));
    }

    public void Dispose()
    {
        _optimizer.Dispose();
        Policy.Dispose();
    }
}
