using System.Diagnostics;
using RobotBridge.Gym;
using RobotBridge.Gym.Spaces;
using RobotBridge.Gym.Vector;
using RobotBridge.Learning.Envs;
using RobotBridge.Learning.Policies;
using RobotBridge.Learning.Torch;
using RobotBridge.Learning.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace RobotBridge.Learning.Ppo;

/// <summary>
/// PPO over a vector env: collect <see cref="PpoConfig.RolloutSteps"/> steps from every sub-env,
/// compute GAE advantages, run the clipped update, fold the rollout into the observation
/// normaliser, repeat. Sub-envs autoreset on the next step (Gymnasium 1.x); those reset rows are
/// skipped.
/// </summary>
public sealed class PpoTrainer<TObs> : ICheckpointedTrainer, IDisposable where TObs : notnull
{
    private readonly IVectorEnv<TObs, float[]> _env;
    private readonly PpoConfig _config;
    private readonly RolloutBuffer _rollout;
    private readonly PpoUpdate _update;
    private readonly EpisodeWindow _window = new();
    private readonly Random _rng;
    private readonly bool[] _resetPending;
    private readonly double[] _episodeReturn;
    private readonly TObs?[] _reuse;

    /// <param name="envSettings">Env options <paramref name="env"/> was made with; the policy file keeps them.</param>
    public PpoTrainer(IVectorEnv<TObs, float[]> env, string envId, PpoConfig config, IReadOnlyDictionary<string, string>? envSettings = null)
    {
        _env = env;
        _config = config;
        TorchRuntime.Configure(config.Seed, config.Threads);
        _rng = new Random(config.Seed);
        var spec = PolicyInputs.SpecFor(env.SingleObservationSpace, env.SingleActionSpace, envId, "ppo", config.HiddenSizes, envSettings);
        Policy = new SquashedGaussianPolicy(spec);
        Value = new ValueNetwork(spec);
        _update = new PpoUpdate(Policy, Value, config);
        _rollout = new RolloutBuffer(config.RolloutSteps, env.NumEnvs, spec.VectorSize, spec.Image?.Size ?? 0, spec.ActionSize);
        _resetPending = new bool[env.NumEnvs];
        _episodeReturn = new double[env.NumEnvs];
        _reuse = new TObs?[env.NumEnvs];
    }

    public SquashedGaussianPolicy Policy { get; }
    public ValueNetwork Value { get; }
    public long Steps { get; private set; }

    /// <summary>Episodes finished by all sub-envs, a resumed run's earlier ones included.</summary>
    public long Episodes => _window.Episodes;

    /// <summary>Continues the episode count of an earlier run (see <see cref="LoadCheckpoint"/>).</summary>
    public void ContinueEpisodeCount(long episodes) => _window.ContinueFrom(episodes);

    public void Train(long totalSteps, ITrainingObserver? observer = null, CancellationToken cancel = default)
    {
        var spec = Policy.Spec;
        var b = _rollout;
        int n = _env.NumEnvs;
        var actions = ((ArrayBatch<float>)_env.Actions).Data;
        var unit = new float[spec.ActionSize];
        var losses = new Dictionary<string, double>();
        var clock = Stopwatch.StartNew();
        long startSteps = Steps;
        if (!_started)
        {
            _env.Reset(seed: Steps == 0 ? _config.Seed : HashCode.Combine(_config.Seed, Steps));
            Array.Clear(_resetPending);
            _started = true;
        }

        while (Steps < totalSteps && !cancel.IsCancellationRequested)
        {
            for (int t = 0; t < b.Steps; t++)
            {
                int row0 = t * n;
                ReadObservations(row0);
                EvaluatePolicy(row0, n, sample: true);
                for (int e = 0; e < n; e++)
                {
                    int i = row0 + e;
                    for (int k = 0; k < spec.ActionSize; k++) unit[k] = MathF.Tanh(b.PreSquashActions[i * spec.ActionSize + k]);
                    Policy.ToEnvUnits(unit, actions.AsSpan(e * spec.ActionSize, spec.ActionSize));
                }
                _env.Step();
                for (int e = 0; e < n; e++)
                {
                    int i = row0 + e;
                    b.Valid[i] = !_resetPending[e];
                    b.Rewards[i] = (float)_env.Rewards[e];
                    b.Terminated[i] = _env.Terminated[e];
                    b.Truncated[i] = _env.Truncated[e];
                    if (!b.Valid[i]) { _resetPending[e] = false; continue; }
                    Steps++;
                    _episodeReturn[e] += _env.Rewards[e];
                    if (_env.Terminated[e] || _env.Truncated[e])
                    {
                        _window.Add(_env.Infos[e].GetOrDefault(InfoKeys.IsSuccess, false), _episodeReturn[e]);
                        _episodeReturn[e] = 0;
                        _resetPending[e] = true;
                    }
                }
            }
            // Values of the observations after the last step, for bootstrapping.
            ReadObservations(0, scratchOnly: true);
            EvaluateBootstrap(n);
            GeneralizedAdvantage.Compute(b, _config.Gamma, _config.GaeLambda);
            var l = _update.Run(b, _rng);
            losses["policy"] = l.Policy; losses["value"] = l.Value; losses["entropy"] = l.Entropy; losses["clip_fraction"] = l.ClipFraction;
            UpdateNormalizer();
            observer?.OnProgress(new TrainingProgress(Steps, totalSteps, _window.Episodes,
                (Steps - startSteps) / Math.Max(1e-9, clock.Elapsed.TotalSeconds), _window.SuccessRate, _window.MeanReturn, losses));
        }
    }

    private bool _started;

    // ---- checkpoints ----

    private static readonly byte[] CheckpointMagic = "RBPPO001"u8.ToArray();

    /// <summary>Saves policy (with normaliser), value network, the step count and the optimizer (atomic replace).</summary>
    public void SaveCheckpoint(string path) => CheckpointFile.Write(path, CheckpointMagic, writer =>
    {
        writer.Write(Steps);
        PolicyFile.Write(Policy, writer.BaseStream);
        Value.save(writer);
        _update.Optimizer.Write(writer);
        // Appended last, so older checkpoints still read: the episode count progress.csv continues.
        writer.Write(Episodes);
    });

    /// <summary>Restores a checkpoint of the same env and architecture, the optimizer included (checkpoints
    /// from before it was saved restart it).</summary>
    public void LoadCheckpoint(string path, Action<string>? warning = null)
    {
        using var reader = CheckpointFile.Open(path, CheckpointMagic, "PPO", warning);
        Steps = reader.ReadInt64();
        CheckpointFile.RestorePolicy(reader, Policy, path);
        Value.load(reader);
        if (reader.BaseStream.Position < reader.BaseStream.Length)
        {
            _update.Optimizer.Read(reader);
        }
        if (reader.BaseStream.Position < reader.BaseStream.Length)
        {
            _window.ContinueFrom(reader.ReadInt64());
        }
    }

    private float[]? _scratchVectors;
    private byte[]? _scratchImages;

    /// <summary>Copies the current observations of all envs into rollout rows starting at <paramref name="row0"/>
    /// (or into scratch buffers for the bootstrap values).</summary>
    private void ReadObservations(int row0, bool scratchOnly = false)
    {
        var spec = Policy.Spec;
        var b = _rollout;
        int n = _env.NumEnvs;
        float[] vectors = b.Vectors;
        byte[] images = b.Images;
        if (scratchOnly)
        {
            vectors = _scratchVectors ??= new float[n * b.VectorSize];
            images = _scratchImages ??= new byte[n * b.ImageSize];
            row0 = 0;
        }
        for (int e = 0; e < n; e++)
        {
            var obs = _env.Observations.Read(e, _reuse[e]);
            _reuse[e] = obs;
            PolicyInputs.WriteVector(spec, obs, vectors.AsSpan((row0 + e) * b.VectorSize, b.VectorSize));
            if (b.ImageSize > 0) PolicyInputs.Image(spec, obs).CopyTo(images.AsSpan((row0 + e) * b.ImageSize, b.ImageSize));
        }
    }

    private (Tensor Vectors, Tensor? Images) Inputs(float[] vectors, byte[] images, int row0, int count)
    {
        var b = _rollout;
        var v = tensor(vectors.AsSpan(row0 * b.VectorSize, count * b.VectorSize).ToArray(), count, b.VectorSize);
        Tensor? img = null;
        if (Policy.Spec.Image is { } s)
            img = tensor(images.AsSpan(row0 * b.ImageSize, count * b.ImageSize).ToArray(), [count, s.Height, s.Width, s.Channels]);
        return (v, img);
    }

    private void EvaluatePolicy(int row0, int count, bool sample)
    {
        var b = _rollout;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (v, img) = Inputs(b.Vectors, b.Images, row0, count);
        var (mu, logStd) = Policy.forward(v, img);
        var u = sample ? mu.Plus(logStd.exp() * randn_like(mu)) : mu;
        var logP = SquashedGaussianPolicy.GaussianLogProb(u, mu, logStd);
        var values = Value.forward(Policy.Normalizer.forward(v), img);
        u.data<float>().CopyTo(b.PreSquashActions, row0 * b.ActionSize);
        logP.data<float>().CopyTo(b.LogProbs, row0);
        values.data<float>().CopyTo(b.Values, row0);
    }

    private void EvaluateBootstrap(int count)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (v, img) = Inputs(_scratchVectors!, _scratchImages!, 0, count);
        Value.forward(Policy.Normalizer.forward(v), img).data<float>().CopyTo(_rollout.BootstrapValues, 0);
    }

    private void UpdateNormalizer()
    {
        var b = _rollout;
        var rows = new List<float>(b.Rows * b.VectorSize);
        int count = 0;
        for (int i = 0; i < b.Rows; i++)
        {
            if (!b.Valid[i]) continue;
            rows.AddRange(b.Vectors.AsSpan(i * b.VectorSize, b.VectorSize));
            count++;
        }
        Policy.Normalizer.Update(rows.ToArray(), count);
    }

    public void Dispose()
    {
        _update.Dispose();
        Value.Dispose();
        Policy.Dispose();
    }
}
