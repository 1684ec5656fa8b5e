using System.Diagnostics;
using RobotBridge.Distributed.Contract;
using RobotBridge.Gym;
using RobotBridge.Gym.Spaces;
using RobotBridge.Gym.Goals;
using RobotBridge.Learning.Envs;
using RobotBridge.Learning.Policies;
using RobotBridge.Learning.Torch;
using static TorchSharp.torch;

namespace RobotBridge.Distributed.Worker;

/// <summary>
/// A worker's twins (a vector of goal envs stepped in lockstep) and its copy of the policy: collects
/// one episode per sub-env per <see cref="CollectRound"/>, choosing all sub-envs' actions with one
/// batched forward pass. It never learns; <see cref="SetPolicy"/> swaps in the learner's newer weights.
/// Same assignment (seed) and same policy versions at the same episodes → the same episodes, bit for bit.
/// </summary>
public sealed class RolloutWorker : IDisposable
{
    private readonly IEnv<DictValue, float[]>[] _envs;
    private readonly DictValue[] _observations;
    private readonly Random _rng;
    private readonly double _randomActions;
    private readonly int _maxSteps;
    private readonly int _observationSize;
    private readonly int _goalSize;
    private SquashedGaussianPolicy _policy;
    private bool _resetDone;

    /// <param name="makeEnv">Builds one sub-env (the same env id and options the learner trains on).</param>
    /// <param name="envCount">Sub-envs of this worker.</param>
    public RolloutWorker(Func<IEnv<DictValue, float[]>> makeEnv, int envCount, WorkerAssignment assignment)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(envCount, 1);
        Assignment = assignment;
        // Torch's generator is process-wide: a worker owns its process, so seeding it here makes the
        // policy's sampled actions a function of the worker's seed.
        TorchRuntime.Configure(assignment.Seed, threads: 1);
        _rng = new Random(assignment.Seed);
        _randomActions = assignment.RandomActionProbability;
        _envs = new IEnv<DictValue, float[]>[envCount];
        try
        {
            for (int i = 0; i < envCount; i++) _envs[i] = makeEnv();
        }
        catch
        {
            foreach (var env in _envs) env?.Dispose();
            throw;
        }
        _observations = new DictValue[envCount];
        _maxSteps = _envs[0].Spec?.MaxEpisodeSteps ?? 50;
        var space = (RobotBridge.Gym.Spaces.DictSpace)_envs[0].ObservationSpace;
        _observationSize = space[GoalObservation.ObservationKey].FlatDimension;
        _goalSize = space[GoalObservation.DesiredGoalKey].FlatDimension;
        _policy = ReadPolicy(assignment.Policy);
        PolicyVersion = assignment.Policy.Version;
    }

    public WorkerAssignment Assignment { get; }

    /// <summary>Version of the policy acting now (0: uniformly random actions).</summary>
    public long PolicyVersion { get; private set; }

    /// <summary>Episodes collected so far by this worker.</summary>
    public long Episodes { get; private set; }

    public int EnvCount => _envs.Length;

    /// <summary>Replaces the acting policy with a newer one from the learner (an older or equal version is ignored).</summary>
    public void SetPolicy(PolicySnapshot snapshot)
    {
        if (snapshot.Version <= PolicyVersion) return;
        var next = ReadPolicy(snapshot);
        if (next.Spec.ToJson() != _policy.Spec.ToJson())
        {
            next.Dispose();
            throw new InvalidDataException($"the learner sent a policy for a different spec at version {snapshot.Version}");
        }
        _policy.Dispose();
        _policy = next;
        PolicyVersion = snapshot.Version;
    }

    private static SquashedGaussianPolicy ReadPolicy(PolicySnapshot snapshot)
    {
        using var stream = new MemoryStream(snapshot.PolicyFile, writable: false);
        var policy = PolicyFile.Read(stream);
        policy.eval();
        return policy;
    }

    /// <summary>Runs one episode on every sub-env with the current policy and returns them in sub-env order.</summary>
    public EpisodeRecord[] CollectRound()
    {
        var clock = Stopwatch.StartNew();
        var spec = _policy.Spec;
        int n = _envs.Length, act = spec.ActionSize;
        var builders = new EpisodeBuilder[n];
        for (int i = 0; i < n; i++)
        {
            // The first reset of sub-env i is seeded (seed + i); later resets continue each env's own stream.
            _observations[i] = _envs[i].Reset(seed: _resetDone ? null : Assignment.Seed + i).Observation;
            builders[i] = new EpisodeBuilder(_maxSteps, _observationSize, _goalSize, act);
            builders[i].Begin(_observations[i]);
        }
        _resetDone = true;
        var vectors = new float[n * spec.VectorSize];
        var units = new float[n * act];
        var envAction = new float[act];
        var running = new bool[n];
        Array.Fill(running, true);
        long version = PolicyVersion;
        for (int t = 0; t < _maxSteps && running.Contains(true); t++)
        {
            ChooseActions(running, vectors, units, version == 0);
            for (int i = 0; i < n; i++)
            {
                if (!running[i]) continue;
                var unit = units.AsSpan(i * act, act);
                _policy.ToEnvUnits(unit, envAction);
                var desired = _observations[i].DesiredGoal().ToArray();
                var step = _envs[i].Step(envAction);
                _observations[i] = step.Observation;
                builders[i].Add(unit, desired, step.Observation, step.Terminated, step.Reward, step.Info.GetOrDefault(InfoKeys.IsSuccess, false));
                if (step.Done) running[i] = false;
            }
        }
        double seconds = clock.Elapsed.TotalSeconds;
        var episodes = new EpisodeRecord[n];
        for (int i = 0; i < n; i++) episodes[i] = builders[i].Build(version, Episodes++, i, seconds);
        return episodes;
    }

    /// <summary>Actions in [-1, 1] for the running sub-envs: uniformly random during the warm-up (version 0)
    /// or with the run's random-action probability, otherwise sampled from the policy in one batch.</summary>
    private void ChooseActions(bool[] running, float[] vectors, float[] units, bool warmUp)
    {
        var spec = _policy.Spec;
        int act = spec.ActionSize, rows = 0;
        var fromPolicy = new bool[running.Length];
        for (int i = 0; i < running.Length; i++)
        {
            if (!running[i]) continue;
            if (warmUp || _rng.NextDouble() < _randomActions)
            {
                for (int a = 0; a < act; a++) units[i * act + a] = (float)(2 * _rng.NextDouble() - 1);
                continue;
            }
            fromPolicy[i] = true;
            PolicyInputs.WriteVector(spec, _observations[i], vectors.AsSpan(rows++ * spec.VectorSize, spec.VectorSize));
        }
        if (rows == 0) return;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (action, _) = _policy.Sample(tensor(vectors.AsSpan(0, rows * spec.VectorSize).ToArray(), rows, spec.VectorSize), null);
        float[] sampled = action.data<float>().ToArray();
        for (int i = 0, r = 0; i < running.Length; i++)
        {
            if (fromPolicy[i]) sampled.AsSpan(r++ * act, act).CopyTo(units.AsSpan(i * act, act));
        }
    }

    public void Dispose()
    {
        _policy.Dispose();
        foreach (var env in _envs) env.Dispose();
    }

    /// <summary>Accumulates one sub-env's episode in the replay buffer's layout.</summary>
    private sealed class EpisodeBuilder(int maxSteps, int observationSize, int goalSize, int actionSize)
    {
        private readonly float[] _obs = new float[(maxSteps + 1) * observationSize];
        private readonly double[] _achieved = new double[(maxSteps + 1) * goalSize];
        private readonly double[] _desired = new double[maxSteps * goalSize];
        private readonly float[] _actions = new float[maxSteps * actionSize];
        private readonly bool[] _terminal = new bool[maxSteps];
        private int _length;
        private double _return;
        private bool _success;

        public void Begin(DictValue obs) => WriteState(0, obs);

        public void Add(ReadOnlySpan<float> unitAction, ReadOnlySpan<double> desired, DictValue next, bool terminal, double reward, bool success)
        {
            int t = _length++;
            unitAction.CopyTo(_actions.AsSpan(t * actionSize, actionSize));
            desired.CopyTo(_desired.AsSpan(t * goalSize, goalSize));
            _terminal[t] = terminal;
            WriteState(t + 1, next);
            _return += reward;
            _success = success;
        }

        private void WriteState(int row, DictValue obs)
        {
            var o = obs.Observation();
            var target = _obs.AsSpan(row * observationSize, observationSize);
            for (int i = 0; i < observationSize; i++) target[i] = (float)o[i];
            obs.AchievedGoal().CopyTo(_achieved.AsSpan(row * goalSize, goalSize));
        }

        public EpisodeRecord Build(long version, long workerEpisode, int envIndex, double seconds) => new()
        {
            Length = _length,
            Observations = _obs.AsSpan(0, (_length + 1) * observationSize).ToArray(),
            Achieved = _achieved.AsSpan(0, (_length + 1) * goalSize).ToArray(),
            Desired = _desired.AsSpan(0, _length * goalSize).ToArray(),
            Actions = _actions.AsSpan(0, _length * actionSize).ToArray(),
            Terminal = _terminal.AsSpan(0, _length).ToArray(),
            Success = _success,
            Return = _return,
            PolicyVersion = version,
            WorkerEpisode = workerEpisode,
            EnvIndex = envIndex,
            CollectSeconds = seconds,
        };
    }
}
