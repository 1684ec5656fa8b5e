using RobotBridge.Gym.Spaces;

namespace RobotBridge.Gym.Vector;

/// <summary>
/// What both vector envs share: the batch buffers, the per-env reset and step with next-step
/// autoreset, and the error handling. Subclasses only decide on which thread each env's work runs,
/// so both give identical results for identical seeds and actions.
/// </summary>
public abstract class VectorEnv<TObs, TAct> : IVectorEnv<TObs, TAct>
{
    private readonly IEnv<TObs, TAct>[] _envs;
    private readonly TAct[] _actionScratch;
    private readonly bool[] _autoreset;
    private readonly Action<int> _stepOne;
    private readonly Action<int> _resetOne;
    private Space<TObs>? _observationSpace;
    private Space<TAct>? _actionSpace;
    private SpaceBatch<TObs>? _observations;
    private SpaceBatch<TAct>? _actions;
    private int? _resetSeed;
    private IReadOnlyDictionary<string, object?>? _resetOptions;
    private bool _hasReset;
    private bool _faulted;
    private bool _disposed;

    private protected VectorEnv(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        NumEnvs = count;
        _envs = new IEnv<TObs, TAct>[count];
        _actionScratch = new TAct[count];
        _autoreset = new bool[count];
        Rewards = new double[count];
        Terminated = new bool[count];
        Truncated = new bool[count];
        Infos = new Info[count];
        _stepOne = StepOne;
        _resetOne = ResetOne;
    }

    public int NumEnvs { get; }
    public Space<TObs> SingleObservationSpace => _observationSpace ?? throw NotBuilt();
    public Space<TAct> SingleActionSpace => _actionSpace ?? throw NotBuilt();
    public AutoresetMode AutoresetMode => AutoresetMode.NextStep;
    public SpaceBatch<TObs> Observations => _observations ?? throw NotBuilt();
    public SpaceBatch<TAct> Actions => _actions ?? throw NotBuilt();
    public double[] Rewards { get; }
    public bool[] Terminated { get; }
    public bool[] Truncated { get; }
    public Info[] Infos { get; }

    /// <summary>Stores env <paramref name="index"/>, built by a subclass (on the thread that will step it).</summary>
    private protected void SetEnv(int index, IEnv<TObs, TAct> env) => _envs[index] = env ?? throw new InvalidOperationException($"env factory returned null for env {index}");

    /// <summary>Checks that all envs agree on their spaces and allocates the batch buffers.</summary>
    private protected void AllocateBuffers()
    {
        _observationSpace = _envs[0].ObservationSpace;
        _actionSpace = _envs[0].ActionSpace;
        for (int i = 1; i < _envs.Length; i++)
        {
            if (!_envs[i].ObservationSpace.Equals(_observationSpace))
                throw new InvalidEnvArgumentException($"env {i} has observation space {_envs[i].ObservationSpace.ToJson()}, env 0 has {_observationSpace.ToJson()}; a vector env needs equal spaces");
            if (!_envs[i].ActionSpace.Equals(_actionSpace))
                throw new InvalidEnvArgumentException($"env {i} has action space {_envs[i].ActionSpace.ToJson()}, env 0 has {_actionSpace.ToJson()}; a vector env needs equal spaces");
        }
        _observations = _observationSpace.CreateBatch(NumEnvs);
        _actions = _actionSpace.CreateBatch(NumEnvs);
        for (int i = 0; i < NumEnvs; i++)
            _actionScratch[i] = _actionSpace.CreateValue();
    }

    /// <summary>Runs <paramref name="work"/> for every env index, each on the thread that owns the env;
    /// returns after all have finished, with the exceptions they threw (env index, exception).</summary>
    private protected abstract List<(int Env, Exception Error)>? RunAll(Action<int> work);

    /// <summary>Disposes every env on the thread that owns it.</summary>
    private protected abstract void DisposeEnvs();

    private protected IEnv<TObs, TAct> EnvAt(int index) => _envs[index];

    public void Reset(int? seed = null, IReadOnlyDictionary<string, object?>? options = null)
    {
        ThrowIfUnusable();
        _resetSeed = seed;
        _resetOptions = options;
        Run(_resetOne, "Reset");
        _hasReset = true;
    }

    public void Step()
    {
        ThrowIfUnusable();
        if (!_hasReset)
            throw new ResetNeededException("Step was called before Reset on the vector env; call Reset(seed) first");
        Run(_stepOne, "Step");
    }

    private void Run(Action<int> work, string call)
    {
        var errors = RunAll(work);
        if (errors is { Count: > 0 })
        {
            // A sub-env in an unknown state cannot be stepped in lockstep with the others any more.
            _faulted = true;
            var (env, error) = errors.MinBy(e => e.Env);
            throw new InvalidOperationException($"{call} failed in env {env} of {NumEnvs}: {error.Message} (the vector env is now faulted; dispose it)", error);
        }
    }

    private void ResetOne(int i)
    {
        var (obs, info) = _envs[i].Reset(_resetSeed is int s ? unchecked(s + i) : null, _resetOptions);
        _observations!.Write(i, obs);
        Rewards[i] = 0;
        Terminated[i] = false;
        Truncated[i] = false;
        Infos[i] = info;
        _autoreset[i] = false;
    }

    private void StepOne(int i)
    {
        if (_autoreset[i])
        {
            var (obs, info) = _envs[i].Reset();
            _observations!.Write(i, obs);
            Rewards[i] = 0;
            Terminated[i] = false;
            Truncated[i] = false;
            Infos[i] = info;
            _autoreset[i] = false;
            return;
        }
        var action = _actions!.Read(i, _actionScratch[i]);
        _actionScratch[i] = action;
        var s = _envs[i].Step(action);
        _observations!.Write(i, s.Observation);
        Rewards[i] = s.Reward;
        Terminated[i] = s.Terminated;
        Truncated[i] = s.Truncated;
        Infos[i] = s.Info;
        _autoreset[i] = s.Terminated || s.Truncated;
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        DisposeEnvs();
        GC.SuppressFinalize(this);
    }

    private void ThrowIfUnusable()
    {
        if (_disposed)
            throw new ClosedEnvironmentException("the vector env was used after Dispose");
        if (_faulted)
            throw new InvalidOperationException("the vector env is faulted by an earlier sub-env error; dispose it and make a new one");
    }

    private static InvalidOperationException NotBuilt() => new("the vector env's envs are not built yet");
}
